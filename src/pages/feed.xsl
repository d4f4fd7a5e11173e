<?xml version="1.0" encoding="utf-8"?>
<!--
  The muniflux Atom feeds as a page, for a person who opens a feed's
  address in a browser (served at /feed.xsl, named by each feed's
  xml-stylesheet instruction). Feed readers never apply it. No script:
  XSLT 1.0 and CSS only, light and dark after the reader's setting.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:template match="/atom:feed">
    <xsl:variable name="self" select="atom:link[@rel='self']/@href"/>
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="atom:title"/> (feed)</title>
        <style>
          :root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #5f6368;
                  --line: #d9dce1; --accent: #0b57d0; --note: #eef3fc; }
          @media (prefers-color-scheme: dark) {
            :root { --fg: #e6e6e6; --bg: #15171a; --muted: #a0a6ad; --line: #33373d;
                    --accent: #8ab4f8; --note: #1e2633; }
          }
          body { margin: 0 auto; max-width: 46rem; padding: 1rem; background: var(--bg);
                 color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
          a { color: var(--accent); }
          h1 { font-size: 1.5rem; margin: .5rem 0; overflow-wrap: anywhere; }
          .note { background: var(--note); border: 1px solid var(--line); border-radius: 6px;
                  padding: .75rem 1rem; }
          .note p { margin: .25rem 0; }
          code { font-size: .9em; overflow-wrap: anywhere; }
          ol { list-style: none; padding: 0; }
          li { border-bottom: 1px solid var(--line); padding: .75rem 0; }
          li a.title { font-weight: 600; font-size: 1.05rem; text-decoration: none;
                       overflow-wrap: anywhere; }
          li a.title:hover { text-decoration: underline; }
          .meta { color: var(--muted); font-size: .9rem; }
          .when { white-space: nowrap; }
          .tag { border: 1px solid var(--line); border-radius: 3px; padding: 0 .3em;
                 margin-left: .3em; }
        </style>
      </head>
      <body>
        <h1><xsl:value-of select="atom:title"/></h1>
        <div class="note">
          <p><strong>This is a news feed.</strong> To follow it, copy this address
            into a feed reader (Feedly, Inoreader, NetNewsWire, Thunderbird, Miniflux …):</p>
          <p><code><xsl:value-of select="$self"/></code></p>
          <p class="meta"><xsl:value-of select="count(atom:entry)"/> entries, newest first;
            updated <xsl:call-template name="when"><xsl:with-param name="at" select="atom:updated"/></xsl:call-template>.</p>
        </div>
        <ol>
          <xsl:apply-templates select="atom:entry"/>
        </ol>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <xsl:attribute name="lang">
        <xsl:value-of select="ancestor-or-self::*[@xml:lang][1]/@xml:lang"/>
      </xsl:attribute>
      <a class="title" href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
      <div class="meta">
        <xsl:value-of select="atom:source/atom:title"/>
        <xsl:text> · </xsl:text>
        <xsl:choose>
          <xsl:when test="atom:published">
            <xsl:call-template name="when"><xsl:with-param name="at" select="atom:published"/></xsl:call-template>
            <xsl:if test="atom:updated != atom:published">
              <xsl:text> (updated </xsl:text>
              <xsl:call-template name="when"><xsl:with-param name="at" select="atom:updated"/></xsl:call-template>
              <xsl:text>)</xsl:text>
            </xsl:if>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="when"><xsl:with-param name="at" select="atom:updated"/></xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:for-each select="atom:category">
          <span class="tag"><xsl:value-of select="@term"/></span>
        </xsl:for-each>
      </div>
    </li>
  </xsl:template>

  <!-- An RFC 3339 date as "2024-03-05 14:03" (the feed writes local
       time); local midnight is how the feed writes a page that gave only
       its day, so it is shown as the day alone. -->
  <xsl:template name="when">
    <xsl:param name="at"/>
    <span class="when">
      <xsl:value-of select="substring($at, 1, 10)"/>
      <xsl:if test="substring($at, 12, 8) != '00:00:00'">
        <xsl:text> </xsl:text>
        <xsl:value-of select="substring($at, 12, 5)"/>
      </xsl:if>
    </span>
  </xsl:template>
</xsl:stylesheet>
