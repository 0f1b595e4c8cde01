using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Automation.Benchmarks.IngestBenchmarks).Assembly).Run(args);
