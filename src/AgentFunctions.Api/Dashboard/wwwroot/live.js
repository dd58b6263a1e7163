// Polling that pauses while the tab is hidden and never overlaps itself; stop() ends it.
export function every(intervalMs, work) {
  let stopped = false;
  let timer = null;
  let running = false;

  async function tick() {
    if (stopped || running) return;
    if (document.hidden) {
      timer = setTimeout(tick, intervalMs);
      return;
    }
    running = true;
    try {
      await work();
    } catch (error) {
      console.error(error);
    } finally {
      running = false;
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
  }

  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    now() {
      clearTimeout(timer);
      tick();
    },
  };
}
