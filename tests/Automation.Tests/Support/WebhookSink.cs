using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Automation.Tests.Support;

/// <summary>
/// A webhook receiver on loopback that records every delivery it is sent — its <c>Idempotency-Key</c>, which node sent
/// it (each node posts to <c>/node/{n}</c>) and when — and answers 200 after <see cref="Delay"/>, so that sends are
/// in flight when a node dies. A delivery counts when the request arrives, as a real receiver would see it.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int[] _perNode;
    private int _total;
    private volatile int _watchedNode = -1;
    private TaskCompletionSource _nextFromWatched = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookSink(WebApplication app, string url, int nodes, TimeSpan delay)
    {
        _app = app;
        Url = url;
        _perNode = new int[nodes];
        Delay = delay;
    }

    /// <summary>One request the sink received.</summary>
    public sealed record Delivery(string Key, int Node, TimeSpan At);

    public string Url { get; }
    public TimeSpan Delay { get; }
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    public int Total => Volatile.Read(ref _total);
    public int FromNode(int node) => Volatile.Read(ref _perNode[node]);

    /// <summary>Time since the sink started, on the clock <see cref="Delivery.At"/> uses.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public string UrlFor(int node) => $"{Url}/node/{node}";

    public static async Task<WebhookSink> StartAsync(int nodes, TimeSpan delay)
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        // Thousands of requests: a log line each would bury the test's own output.
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new WebhookSink(app, url, nodes, delay);
        app.MapPost("/node/{node:int}", async (int node, HttpRequest request) =>
        {
            sink.Record(request.Headers["Idempotency-Key"].ToString(), node);
            if (delay > TimeSpan.Zero) await Task.Delay(delay);
            return Results.Ok();
        });
        await app.StartAsync();
        return sink;
    }

    /// <summary>Completes when <paramref name="node"/> next delivers: that send is then in flight, not yet answered.</summary>
    public Task NextDeliveryFrom(int node)
    {
        _nextFromWatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _watchedNode = node;
        return _nextFromWatched.Task;
    }

    private void Record(string key, int node)
    {
        Deliveries.Enqueue(new Delivery(key, node, _clock.Elapsed));
        Interlocked.Increment(ref _perNode[node]);
        Interlocked.Increment(ref _total);
        if (node == _watchedNode)
        {
            _watchedNode = -1;
            _nextFromWatched.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
