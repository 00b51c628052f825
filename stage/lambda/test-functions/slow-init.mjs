// Takes 3 s to initialise (top-level await), then echoes.
await new Promise((resolve) => setTimeout(resolve, 3000));
export const handler = async (event) => event;
