// Reference function "hello-init": a hello world as the published cold-start benchmark deploys it (CommonJS,
// no dependencies, returns {statusCode: 200}).
exports.handler = () => ({ statusCode: 200 });
