<?xml version="1.0" encoding="UTF-8"?>
<!-- The show's feed as a page, for a person who opens /feed.xml in a browser:
     what the address is for, the show and its episodes. Podcast apps ignore the
     <?xml-stylesheet?> line that links this file and read the same RSS.
     Links are relative to the feed's address, so that a site served under a
     path prefix finds its style sheet. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    exclude-result-prefixes="atom itunes">
  <xsl:output method="html" encoding="UTF-8" indent="no"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="feed" select="/rss/channel/atom:link[@rel='self']/@href"/>
  <xsl:variable name="cover" select="/rss/channel/itunes:image/@href"/>

  <xsl:template match="/">
    <xsl:apply-templates select="rss/channel"/>
  </xsl:template>

  <xsl:template match="channel">
    <html lang="{language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="title"/> · podcast feed</title>
        <link rel="stylesheet" href="static/style.css"/>
      </head>
      <body class="feed-page">
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <a class="site-title" href="{link}"><xsl:value-of select="title"/></a>
          <nav aria-label="Site"><a href="{link}">Home page</a></nav>
        </header>
        <main id="main">
          <section class="feed-intro" aria-labelledby="feed-intro-title">
            <h1 id="feed-intro-title">This is a podcast feed</h1>
            <p>Paste this address into your podcast app to subscribe to
              <strong><xsl:value-of select="title"/></strong>: new episodes then
              come to your phone by themselves.</p>
            <label for="feed-page-address">The feed's address</label>
            <input id="feed-page-address" class="subscribe-address" type="text"
                readonly="readonly" spellcheck="false" value="{$feed}"/>
            <p class="hint">No podcast app yet, or rather tap than paste? The
              <a href="{link}">show's home page</a> has a button for each app.</p>
          </section>

          <section class="show">
            <xsl:if test="itunes:image/@href">
              <img class="cover" src="{itunes:image/@href}" alt="Cover art of {title}"
                  width="160" height="160"/>
            </xsl:if>
            <div>
              <h2 class="feed-show-title"><xsl:value-of select="title"/></h2>
              <xsl:if test="itunes:author">
                <p class="byline">by <xsl:value-of select="itunes:author"/></p>
              </xsl:if>
              <p class="notes">
                <!-- The summary is the notes as text; the description is HTML. -->
                <xsl:choose>
                  <xsl:when test="itunes:summary"><xsl:value-of select="itunes:summary"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="description"/></xsl:otherwise>
                </xsl:choose>
              </p>
            </div>
          </section>

          <h2>Episodes</h2>
          <ol class="episodes">
            <xsl:apply-templates select="item"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="episode-item episode-card">
      <xsl:variable name="art" select="(itunes:image/@href | $cover)[1]"/>
      <xsl:if test="$art">
        <img class="episode-card-art" src="{$art}" alt="" width="96" height="96"
            loading="lazy"/>
      </xsl:if>
      <div class="episode-card-body">
        <h3 class="episode-card-heading">
          <a class="episode-title" href="{link}"><xsl:value-of select="title"/></a>
        </h3>
        <p class="meta">
          <!-- "Tue, 01 Dec 2026 10:00:00 +0000": the day, month and year. -->
          <xsl:value-of select="substring(pubDate, 6, 11)"/>
          <xsl:if test="itunes:duration"> · <xsl:call-template name="duration">
              <xsl:with-param name="written" select="string(itunes:duration)"/>
            </xsl:call-template></xsl:if>
        </p>
        <xsl:if test="itunes:subtitle">
          <p class="teaser"><xsl:value-of select="itunes:subtitle"/></p>
        </xsl:if>
        <a class="button" href="{link}">Listen and comment<span class="visually-hidden">: <xsl:value-of select="title"/></span></a>
      </div>
    </li>
  </xsl:template>

  <!-- "00:00:47" as 0:47, "00:12:05" as 12:05, "01:02:03" as 1:02:03. -->
  <xsl:template name="duration">
    <xsl:param name="written"/>
    <xsl:variable name="short">
      <xsl:choose>
        <xsl:when test="starts-with($written, '00:')"><xsl:value-of select="substring($written, 4)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$written"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="starts-with($short, '0') and string-length($short) &gt; 4"><xsl:value-of select="substring($short, 2)"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$short"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
