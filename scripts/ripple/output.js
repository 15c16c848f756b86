'use strict';
// Tables on stdout; progress on stderr (redrawn in place on a terminal, a line a second otherwise).

/** Columns as wide as their widest cell; `columns` is [header, row => value]. */
function table(rows, columns) {
  const cells = rows.map((r) => columns.map(([, value]) => cell(value(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns.map(([h]) => h)), ...cells.map(line)].join('\n') + '\n';
}

const cell = (v) => (v === null || v === undefined ? '-' : String(v));

function duration(ms) {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** `[#####-----]  45% 4,500/10,000  1,200/s  ETA 5s`: the rate over the whole run so far. */
function progressLine(label, done, total, elapsedMs) {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const width = 24;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = done >= total ? 'done' : rate > 0 ? `ETA ${duration(((total - done) / rate) * 1000)}` : 'ETA ?';
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')}/s  ${eta}`;
}

function progressBar(out = process.stderr) {
  let lastPrinted = 0;
  return {
    update(line, force = false) {
      if (out.isTTY) return void out.write(`\r\x1b[K${line}`);
      if (!force && Date.now() - lastPrinted < 1000) return;
      lastPrinted = Date.now();
      out.write(`${line}\n`);
    },
    end(line) {
      out.write(out.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}

module.exports = { table, duration, progressLine, progressBar };
