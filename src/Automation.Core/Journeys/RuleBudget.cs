using System.Diagnostics;

namespace Automation.Core.Journeys;

/// <summary>
/// How much one evaluation of one rule may do. Steps are counted by the compiled rule itself (every rule and every
/// lambda inside it, such as each item an <c>Any</c> visits), so the count is the same on every machine and in the
/// simulator; the time limit is a backstop for what a step does not count.
/// </summary>
/// <param name="MaxSteps">Steps one evaluation may take; configured as <c>Rules:MaxSteps</c>.</param>
/// <param name="MaxTime">Wall-clock time one evaluation may take; configured as <c>Rules:MaxMilliseconds</c>.</param>
public sealed record RuleLimits(long MaxSteps, TimeSpan MaxTime)
{
    /// <summary>Far above what a marketer's rule takes (a handful of steps, or one per tag or property it walks).</summary>
    public static RuleLimits Default { get; } = new(100_000, TimeSpan.FromSeconds(1));
}

/// <summary>The steps and time left to one evaluation; the compiled rule calls <see cref="Step"/> as it goes.</summary>
public sealed class RuleBudget
{
    private const int StepsBetweenClockReads = 1024;
    private readonly RuleLimits _limits;
    private readonly long _deadline;
    private long _steps;

    public RuleBudget(RuleLimits limits)
    {
        _limits = limits;
        _deadline = Stopwatch.GetTimestamp() + (long)(limits.MaxTime.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Counts one step; throws <see cref="RuleBudgetExceededException"/> past the limits.</summary>
    public void Step()
    {
        if (++_steps > _limits.MaxSteps)
            throw new RuleBudgetExceededException($"took more than {_limits.MaxSteps:N0} steps (Rules:MaxSteps)");
        if (_steps % StepsBetweenClockReads == 0 && Stopwatch.GetTimestamp() > _deadline)
            throw new RuleBudgetExceededException($"ran longer than {_limits.MaxTime.TotalMilliseconds:N0} ms (Rules:MaxMilliseconds)");
    }
}

/// <summary>An evaluation went past its <see cref="RuleLimits"/>.</summary>
public sealed class RuleBudgetExceededException(string message) : Exception(message);
