// Reference function "single-thread-sort": fills a Float64Array of event.sizeMb MB with random integers and
// sorts it, one thread, as the published memory-intensive handler does with 100 MB (calibrate compares ratios
// to 1,769 MB, so a smaller array does).
exports.handler = async (event) => {
  const sizeMb = event?.sizeMb ?? 100;
  const values = new Float64Array(Math.floor((sizeMb * 1024 * 1024) / 8));
  for (let i = 0; i < values.length; i++) values[i] = Math.floor(Math.random() * 1_073_741_824);
  values.sort();
  return { sizeMb, first: values[0], last: values[values.length - 1] };
};
