// Fails outside the handler's promise: an uncaught exception (event.kind "throw") or an unhandled rejection.
export const handler = async (event) => {
  if (event?.kind === "reject") {
    Promise.reject(new RangeError("rejected and never handled"));
  } else {
    setImmediate(() => {
      throw new SyntaxError("thrown outside the handler");
    });
  }
  return new Promise(() => {}); // never settles: the crash ends the invocation
};
