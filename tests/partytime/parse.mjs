// Read an RSS feed on stdin, parse it as the Podcast Index does, print JSON.
// partytime logs to stdout; keep it quiet so stdout is only the JSON.
process.env.PARTYTIME_LOG ??= "silent";
const { parseFeed } = await import("podcast-partytime");

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const feed = parseFeed(Buffer.concat(chunks).toString("utf8"));
process.stdout.write(JSON.stringify(feed));
