// The smallest useful handler: an API Gateway proxy response.
export const handler = async () => ({ statusCode: 200, body: "ok" });
