using Automation.Benchmarks.Load;
using BenchmarkDotNet.Running;

if (args is ["load", .. var loadArgs]) return await IngestLoad.RunAsync(loadArgs);
if (args is ["dispatch", .. var dispatchArgs]) return await DispatchLoad.RunAsync(dispatchArgs);
if (args is ["scan", .. var scanArgs]) return await ScanLoad.RunAsync(scanArgs);
if (args is ["segments", .. var segmentArgs]) return await SegmentLoad.RunAsync(segmentArgs);
if (args is ["broadcast", .. var broadcastArgs]) return await BroadcastLoad.RunAsync(broadcastArgs);
if (args is ["console", .. var consoleArgs]) return await ConsoleLoad.RunAsync(consoleArgs);
if (args is ["floor", .. var floorArgs]) return await FloorLoad.RunAsync(floorArgs);
BenchmarkSwitcher.FromAssembly(typeof(Automation.Benchmarks.IngestBenchmarks).Assembly).Run(args);
return 0;
