// The episode page, enhanced: every piece works without this script through
// plain links and forms; these modules make it a conversation around moments.
import { player, seek, setupPlayer } from "./player.js";
import { setupTimeline } from "./timeline.js";
import { setupListening } from "./listening.js";
import { setupConversation } from "./conversation.js";
import { setupPosting, setupReplying, setupTimestamp } from "./posting.js";
import { setupEditing } from "./editing.js";
import { setupBar } from "./bar.js";
import { setupTimes } from "./times.js";
import { plural } from "./ui.js";

if (player) {
  const section = document.getElementById("conversation");
  const fragmentUrl = section.dataset.fragment;
  const commentApi = section.dataset.commentApi;
  const heading = document.getElementById("conversation-title");

  function count(change) {
    const total = Number(heading.dataset.count) + change;
    heading.dataset.count = String(total);
    heading.textContent = plural(total, "comment");
  }

  // Any moment link on the page plays from there instead of reloading it.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (!link || event.defaultPrevented || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    seek(Number(link.dataset.seek));
  });

  setupPlayer();
  setupBar(player);
  setupTimes(section);
  const listening = setupListening({ player, slug: player.dataset.slug });
  const conversation = setupConversation({ onSwap: () => listening.update() });
  const timeline = setupTimeline({
    player,
    reveal: (id) => conversation.reveal(id),
    isAhead: listening.isAhead,
    commentApi,
  });
  setupPosting({
    fragmentUrl,
    onPosted(comment) {
      if (comment.status === "published") {
        count(1);
        timeline?.add(comment.timestamp, comment.id);
      }
      listening.update();
    },
  });
  setupReplying();
  setupTimestamp(document.getElementById("comment-form"), player);
  setupEditing({ commentApi, fragmentUrl, onDeleted: (wasPublished) => wasPublished && count(-1) });
}
