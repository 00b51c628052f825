// Leaves work running after it returns, as handlers sometimes do (a flush timer, a metrics interval).
// {"action":"start","everyMs":20,"busyMs":0,"lateMs":100}: a setInterval recording the epoch ms of each tick
// (spinning busyMs of CPU in each), and a setTimeout that logs "late timer fired" after lateMs.
// {"waitMs":300}: waits that long inside the invocation, then returns the ticks recorded since the last read.
let ticks = [];
let interval;

export const handler = async (event) => {
  if (event.action === "start") {
    clearInterval(interval);
    interval = setInterval(() => {
      ticks.push(Date.now());
      const end = Date.now() + (event.busyMs ?? 0);
      while (Date.now() < end);
    }, event.everyMs ?? 20);
    if (event.lateMs !== undefined) setTimeout(() => console.log("late timer fired"), event.lateMs);
    return { pid: process.pid };
  }
  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
  const seen = ticks;
  ticks = [];
  return { pid: process.pid, ticks: seen };
};
