// Read an RSS feed on stdin, parse it with the npm `rss-parser` package (what
// many Node podcast apps and bots use), print JSON. Podcast namespace tags are
// asked for as custom fields, with their attributes (under "$") kept.
import Parser from "rss-parser";

const many = (name, as) => [name, as, { keepArray: true }];
const parser = new Parser({
  customFields: {
    feed: [
      "podcast:guid",
      "podcast:medium",
      "podcast:locked",
      "podcast:license",
      "podcast:updateFrequency",
      "podcast:block",
      "itunes:block",
      "itunes:complete",
      "itunes:type",
      "copyright",
      many("podcast:person", "podcastPeople"),
      many("podcast:txt", "podcastTxt"),
      many("podcast:trailer", "podcastTrailers"),
      many("atom:link", "atomLinks"),
    ],
    item: [
      "podcast:chapters",
      "podcast:season",
      "podcast:episode",
      many("podcast:person", "podcastPeople"),
      many("podcast:transcript", "podcastTranscripts"),
    ],
  },
});

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const feed = await parser.parseString(Buffer.concat(chunks).toString("utf8"));
process.stdout.write(JSON.stringify(feed));
