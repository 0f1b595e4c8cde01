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
        CustomTypes = [typeof(CustomerFacts), typeof(StatsFacts), typeof(CartFacts), typeof(EventFacts), typeof(JourneyFacts), typeof(NowFacts), typeof(RfmFacts), typeof(PerksFacts)],
    };

    /// <summary>The facts every expression is given, by the names expressions use.</summary>
    public static RuleParameter[] Inputs(CustomerFacts customer, StatsFacts stats, CartFacts cart, EventFacts @event, JourneyFacts journey, NowFacts now) =>
    [
        new("customer", customer), new("stats", stats), new("cart", cart),
        new("event", @event), new("journey", journey), new("now", now),
    ];

    /// <summary>
    /// Compiles and runs every expression once against empty facts; each failure becomes a problem. The rules compiled
    /// here are the ones the journey runs, so a file is compiled once per read.
    /// </summary>
    internal static JourneyRules? Check(List<ScopedParam> globalParams, List<(JourneyStep Step, Rule Rule)> steps, JourneyTrigger trigger, JourneyExit exit,
        JourneyFileReader.Checker check, RuleLimits limits)
    {
        var probes = new List<RuleProbe>();
        for (var i = 0; i < steps.Count; i++)
            probes.Add(new(steps[i].Rule.RuleName, steps[i].Rule.Expression, steps[i].Rule.LocalParams?.ToList() ?? [], $"Rules[{i}].Expression", steps[i].Rule.RuleName));
        var triggerField = trigger is EventTrigger ? "Condition" : "Audience";
        if (trigger.Condition is { } condition) probes.Add(new(JourneySet.TriggerRule, condition, [], $"Trigger.{triggerField}", null));
        if (exit.Condition is { } exitCondition) probes.Add(new(JourneySet.ExitRule, exitCondition, [], "Exit.Condition", null));
        if (CheckProbes(globalParams, probes, check, limits) is not { } compiled) return null;
        return new JourneyRules(compiled.Take(steps.Count).ToList(), trigger.Condition is null ? null : compiled[steps.Count],
            exit.Condition is null ? null : compiled[^1]);
    }

    /// <summary>
    /// Compiles each probe with the global params and runs it once against empty facts under the budget; a failure
    /// becomes a problem at the probe's path. A global param that fails is reported once, at GlobalParams. Returns the
    /// compiled rules in the probes' order, or null when any failed.
    /// </summary>
    internal static IReadOnlyList<CompiledRule>? CheckProbes(List<ScopedParam> globalParams, List<RuleProbe> probes, JourneyFileReader.Checker check, RuleLimits limits)
    {
        if (globalParams.Count > 0 && Compile("params", "true", globalParams, limits, out var paramsProblem) is null)
        {
            check.Add("GlobalParams", null, paramsProblem!);
            return null;
        }
        var compiled = new List<CompiledRule>(probes.Count);
        foreach (var probe in probes)
        {
            if (Compile(probe.Name, probe.Expression, [.. globalParams, .. probe.LocalParams], limits, out var problem) is { } rule) compiled.Add(rule);
            else check.Add(probe.Path, probe.Label, problem!);
        }
        return compiled.Count == probes.Count ? compiled : null;
    }

    private static CompiledRule? Compile(string name, string expression, IEnumerable<ScopedParam> scopedParams, RuleLimits limits, out string? problem)
    {
        try
        {
            var rule = CompiledRule.Compile(name, expression, scopedParams, limits);
            problem = rule.Evaluate(Facts.Empty(), DateTimeOffset.UnixEpoch).Error is { } error ? $"fails on an empty customer: {error}" : null;
            return problem is null ? rule : null;
        }
        catch (RuleCompileException e)
        {
            problem = e.Message;
            return null;
        }
    }
}

/// <summary>An expression of a rule file to compile and check, and where its problems are reported.</summary>
internal sealed record RuleProbe(string Name, string Expression, List<ScopedParam> LocalParams, string Path, string? Label);

/// <summary>A journey file's expressions, compiled when it was read: every step in file order, and its conditions.</summary>
public sealed record JourneyRules(IReadOnlyList<CompiledRule> Steps, CompiledRule? Trigger, CompiledRule? Exit);
