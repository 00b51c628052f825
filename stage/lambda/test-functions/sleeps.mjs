// Sleeps for event.sleepMs (default 10 s): past any short Timeout.
export const handler = async (event) => {
  console.log("going to sleep");
  await new Promise((resolve) => setTimeout(resolve, event?.sleepMs ?? 10_000));
  return { slept: true };
};
