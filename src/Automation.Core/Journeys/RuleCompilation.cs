using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>The RulesEngine settings journeys run with, and the compile check of a journey's expressions.</summary>
public static class RuleCompilation
{
    /// <summary>
    /// Input types are not registered automatically, so an expression reaches only the facts passed in and the
    /// types RulesEngine predefines. The fact types are registered as custom types only so that their helper
    /// methods (<c>journey.HasDone("x")</c>) may be called. Exception texts stay plain for speed.
    /// </summary>
    public static ReSettings Settings() => new()
    {
        AutoRegisterInputType = false,
        EnableFormattedErrorMessage = false,
        EnableExceptionAsErrorMessageForRuleExpressionParsing = true,
        CustomTypes = [typeof(CustomerFacts), typeof(StatsFacts), typeof(CartFacts), typeof(EventFacts), typeof(JourneyFacts), typeof(NowFacts), typeof(RfmFacts)],
    };

    /// <summary>The facts every expression is given, by the names expressions use.</summary>
    public static RuleParameter[] Inputs(CustomerFacts customer, StatsFacts stats, CartFacts cart, EventFacts @event, JourneyFacts journey, NowFacts now) =>
    [
        new("customer", customer), new("stats", stats), new("cart", cart),
        new("event", @event), new("journey", journey), new("now", now),
    ];

    /// <summary>Compiles and runs every expression once against empty facts; each failure becomes a problem.</summary>
    internal static void Check(List<ScopedParam> globalParams, List<(JourneyStep Step, Rule Rule)> steps, JourneyTrigger trigger, JourneyExit exit,
        JourneyFileReader.Checker check, RuleLimits limits)
    {
        var probes = new List<(string Expression, List<ScopedParam> LocalParams, string Path, string? Label)>();
        for (var i = 0; i < steps.Count; i++)
            probes.Add((steps[i].Rule.Expression, steps[i].Rule.LocalParams?.ToList() ?? [], $"Rules[{i}].Expression", steps[i].Rule.RuleName));
        var triggerField = trigger is EventTrigger ? "Condition" : "Audience";
        if (trigger.Condition is { } condition) probes.Add((condition, [], $"Trigger.{triggerField}", null));
        if (exit.Condition is { } exitCondition) probes.Add((exitCondition, [], "Exit.Condition", null));
        CheckProbes(globalParams, probes, check, limits);
    }

    /// <summary>
    /// Compiles each probe with the global params and runs it once against empty facts under the budget; a failure
    /// becomes a problem at the probe's path. A global param that fails is reported once, at GlobalParams.
    /// </summary>
    internal static void CheckProbes(List<ScopedParam> globalParams, List<(string Expression, List<ScopedParam> LocalParams, string Path, string? Label)> probes,
        JourneyFileReader.Checker check, RuleLimits limits)
    {
        if (globalParams.Count > 0 && Problem("true", globalParams, limits) is { } paramsProblem)
        {
            check.Add("GlobalParams", null, paramsProblem);
            return;
        }
        foreach (var (expression, localParams, path, label) in probes)
        {
            if (Problem(expression, [.. globalParams, .. localParams], limits) is { } problem) check.Add(path, label, problem);
        }
    }

    private static string? Problem(string expression, IEnumerable<ScopedParam> scopedParams, RuleLimits limits)
    {
        try
        {
            var result = CompiledRule.Compile("probe", expression, scopedParams, limits).Evaluate(Facts.Empty(), DateTimeOffset.UnixEpoch);
            return result.Error is { } error ? $"fails on an empty customer: {error}" : null;
        }
        catch (RuleCompileException e)
        {
            return e.Message;
        }
    }
}
