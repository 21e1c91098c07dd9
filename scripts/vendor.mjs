// Copies the front-end assets the portal serves from node_modules into static/vendor (not committed):
// htmx, the receipt fonts and an SVG sprite of the Lucide icons the templates use. Run by `make`. Dev-only packages
// (axe-core, for the browser tests) stay in node_modules: nothing of theirs is served.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const copies = [
  ["node_modules/htmx.org/dist/htmx.min.js", "static/vendor/htmx.min.js"],
  ["node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "static/vendor/fonts/DejaVuSans.ttf"],
  ["node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", "static/vendor/fonts/DejaVuSans-Bold.ttf"],
];
rmSync(join(root, "static/vendor/axe.min.js"), { force: true }); // copied here before it became dev-only
for (const [from, to] of copies) {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  copyFileSync(join(root, from), join(root, to));
}

// sprite id -> lucide icon name
const icons = {
  home: "house", wallet: "wallet", wrench: "wrench", gauge: "gauge", menu: "menu", building: "building-2",
  users: "users", receipt: "receipt", card: "credit-card", shield: "shield", list: "list", mail: "mail",
  bell: "bell", next: "chevron-right", alert: "circle-alert", check: "check", close: "x", download: "download",
  phone: "phone", camera: "camera", file: "file-text", logout: "log-out", calendar: "calendar", clock: "clock",
  message: "message-circle",
};
const symbols = Object.entries(icons).map(([id, name]) => {
  const svg = readFileSync(join(root, "node_modules/lucide-static/icons", `${name}.svg`), "utf8");
  const inner = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>")).trim();
  return `<symbol id="${id}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${inner}</symbol>`;
});
writeFileSync(
  join(root, "static/vendor/icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg"><!-- Lucide icons, ISC licence -->${symbols.join("")}</svg>\n`,
);
console.log(`vendor: ${copies.length} files and ${symbols.length} icons into static/vendor`);
