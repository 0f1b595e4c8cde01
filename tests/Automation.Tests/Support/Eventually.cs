using System.Diagnostics;

namespace Automation.Tests.Support;

/// <summary>
/// Polls until a condition holds, for what the server does in the background (reloads, dispatch, recovery): the wait
/// ends as soon as it holds, and the bound is generous because it only limits how long a failure takes to report.
/// </summary>
public static class Eventually
{
    /// <summary>Probes until <paramref name="done"/> holds for the result; returns it, or fails with the last one seen.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, TimeSpan? every = null, string? what = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var result = await probe();
            if (done(result)) return result;
            if (waited.Elapsed > limit)
                throw new AssertionException($"{what ?? "the condition"} did not hold within {limit.TotalSeconds:0.#} s; last seen: {Describe(result)}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Probes until it returns true.</summary>
    public static Task Until(Func<Task<bool>> probe, TimeSpan? within = null, TimeSpan? every = null, string? what = null) =>
        Until(probe, held => held, within, every, what);

    private static string Describe<T>(T result) => result switch
    {
        System.Text.Json.Nodes.JsonNode node => node.ToJsonString(),
        null => "null",
        _ => result.ToString() ?? "",
    };
}
