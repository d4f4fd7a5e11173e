//! List shapes per CMS.
use super::*;
