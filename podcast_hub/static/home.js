// The home page's play buttons: without this script each is a link to the
// episode's page; with it, a button that plays the episode right here, in one
// player under the episode's card.
const audio = document.createElement("audio");
audio.controls = true;
audio.preload = "none";
audio.className = "card-player";
let current = null;

function label(button, playing) {
  button.querySelector("[data-word]").textContent = playing ? "Pause" : "Play";
  button.querySelector("[data-icon]").textContent = playing ? "❚❚ " : "▶ ";
}

for (const link of document.querySelectorAll("a[data-play]")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "play-episode";
  button.dataset.play = link.dataset.play;
  button.innerHTML = '<span aria-hidden="true" data-icon></span><span data-word></span><span class="visually-hidden"></span>';
  button.querySelector(".visually-hidden").textContent = ` ${link.dataset.title}`;
  label(button, false);
  link.replaceWith(button);

  button.addEventListener("click", () => {
    if (current === button) {
      if (audio.paused) audio.play();
      else audio.pause();
      return;
    }
    if (current) label(current, false);
    current = button;
    audio.src = button.dataset.play;
    audio.setAttribute("aria-label", `Player: ${link.dataset.title}`);
    button.after(audio);
    audio.play();
  });
}

audio.addEventListener("play", () => current && label(current, true));
audio.addEventListener("pause", () => current && label(current, false));
audio.addEventListener("ended", () => current && label(current, false));
