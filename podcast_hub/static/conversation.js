// Pages of threads without leaving the player: pager links, sort and filter load
// the server's fragment in place, and a link to a comment on another page
// (#comment-<id>) loads the page that holds it. A thread's "N more replies" adds
// the next replies in place, a bounded number at a time.
import { getFragment } from "./http.js";
import { announce, plural, scrollToElement } from "./ui.js";

export function setupConversation({ onSwap }) {
  const section = document.getElementById("conversation");
  if (!section) return null;
  const tools = document.getElementById("conversation-tools");
  const fragmentUrl = section.dataset.fragment;

  // The address of what `list` shows: ?page=&sort=&host=, defaults left out.
  function paramsOf(list, { page = true } = {}) {
    const params = new URLSearchParams();
    if (page && list.dataset.page !== "1") params.set("page", list.dataset.page);
    if (list.dataset.sort !== "moment") params.set("sort", list.dataset.sort);
    if (list.dataset.host) params.set("host", "1");
    if (list.dataset.thread) params.set("thread", list.dataset.thread);
    return params;
  }

  const current = () => paramsOf(document.getElementById("conversation-list"), { page: false });
  let shown = paramsOf(document.getElementById("conversation-list")).toString();

  function addressOf(search) {
    const url = new URL(location.href);
    url.search = search;
    url.hash = "conversation";
    return url.href;
  }

  async function load(params, { push = true } = {}) {
    const list = document.getElementById("conversation-list");
    list.setAttribute("aria-busy", "true");
    try {
      const fragment = await getFragment(`${fragmentUrl}?${params}`);
      const fresh = fragment.querySelector("#conversation-list");
      list.replaceWith(fresh);
      shown = paramsOf(fresh).toString();
      if (push) history.pushState({ conversation: shown }, "", addressOf(shown));
      syncTools(fresh);
      onSwap();
      return fresh;
    } catch {
      list.removeAttribute("aria-busy");
      announce("The comments could not be loaded. Check your connection and try again.");
      return null;
    }
  }

  function syncTools(list) {
    if (!tools) return;
    tools.elements.sort.value = list.dataset.sort;
    tools.elements.host.checked = list.dataset.host === "1";
  }

  function landed(list) {
    const pages = list.dataset.pages;
    announce(`Showing page ${list.dataset.page} of ${pages} of the comments.`);
    scrollToElement(list, "start");
    list.focus({ preventScroll: true });
  }

  // Bring comment `id` into view, loading its page first if need be.
  async function reveal(id, { focus = false } = {}) {
    let element = document.getElementById(`comment-${id}`);
    if (!element) {
      const params = current();
      params.set("comment", String(id));
      if (!(await load(params, { push: false }))) return null;
      element = document.getElementById(`comment-${id}`);
      if (!element) return null;
    }
    document.querySelectorAll(".comment.is-target").forEach((other) => other.classList.remove("is-target"));
    element.classList.add("is-target");
    scrollToElement(element);
    if (focus) {
      element.tabIndex = -1;
      element.focus({ preventScroll: true });
    }
    return element;
  }

  // Add the replies the fragment at `link` holds to its thread. The first may be
  // a reply already shown, repeated to hold the first new ones: they join it.
  async function moreReplies(link) {
    const thread = link.closest(".comment");
    const more = link.closest(".more-replies");
    link.setAttribute("aria-busy", "true");
    let fragment;
    try {
      fragment = await getFragment(link.dataset.moreReplies);
    } catch {
      link.removeAttribute("aria-busy");
      announce("The replies could not be loaded. Check your connection and try again.");
      return;
    }
    const added = [];
    const adopt = (into, items) => {
      for (const item of items) {
        if (!item.matches(".comment") || document.getElementById(item.id)) continue;
        into.append(item);
        added.push(item);
      }
    };
    const repliesOf = (comment, before = null) => {
      let replies = comment.querySelector(":scope > .replies");
      if (!replies) {
        replies = document.createElement("div");
        replies.className = "replies";
        comment.insertBefore(replies, before);
      }
      return replies;
    };
    for (const item of [...fragment.children]) {
      const shown = item.matches(".comment") && document.getElementById(item.id);
      const inner = item.querySelector(":scope > .replies");
      if (shown && inner) adopt(repliesOf(shown), [...inner.children]);
      else adopt(repliesOf(thread, more), [item]);
    }
    const next = fragment.querySelector(".more-replies");
    if (next) more.replaceWith(next);
    else more.remove();
    onSwap();
    announce(`${plural(added.length, "more reply", "more replies")} shown.`);
    if (added.length) {
      added[0].tabIndex = -1;
      added[0].focus();
    }
  }

  section.addEventListener("click", async (event) => {
    const more = event.target.closest("a[data-more-replies]");
    if (more && !(event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();
      if (more.getAttribute("aria-busy") !== "true") moreReplies(more);
      return;
    }
    const link = event.target.closest(".pager a[data-page]");
    if (!link) return;
    event.preventDefault();
    const list = await load(new URL(link.href).searchParams);
    if (list) landed(list);
  });

  if (tools) {
    tools.querySelector("[data-apply]").hidden = true;
    const apply = async (event) => {
      event?.preventDefault();
      const params = new URLSearchParams(new FormData(tools));
      if (params.get("sort") === "moment") params.delete("sort");
      const list = await load(params);
      if (list) announce(`Showing ${tools.elements.sort.selectedOptions[0].textContent.toLowerCase()}${list.dataset.host ? ", host replies only" : ""}.`);
    };
    tools.addEventListener("change", apply);
    tools.addEventListener("submit", apply);
  }

  // Back and forward walk through the pages loaded here; other entries (a
  // followed #comment link) have no state and are left to the browser.
  history.replaceState({ ...history.state, conversation: shown }, "");
  addEventListener("popstate", (event) => {
    const wanted = event.state?.conversation;
    if (wanted === undefined || wanted === shown) return;
    load(new URLSearchParams(wanted), { push: false });
  });

  const fromHash = () => {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    if (match) reveal(Number(match[1]), { focus: true });
  };
  addEventListener("hashchange", fromHash);
  fromHash();

  return { reveal, load };
}
