// Throws on every invocation.
export const handler = async () => {
  throw new TypeError("boom: the test function always throws");
};
