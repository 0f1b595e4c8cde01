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
    internal static void Check(string name, List<ScopedParam> globalParams, List<(JourneyStep Step, Rule Rule)> steps,
        JourneyTrigger trigger, JourneyExit exit, JourneyFileReader.Checker check)
    {
        var probes = new List<(Rule Rule, string Path, string? Label)>();
        for (var i = 0; i < steps.Count; i++)
        {
            var rule = steps[i].Rule;
            probes.Add((new Rule { RuleName = rule.RuleName, Expression = rule.Expression, LocalParams = rule.LocalParams, RuleExpressionType = RuleExpressionType.LambdaExpression },
                $"Rules[{i}].Expression", rule.RuleName));
        }
        var triggerField = trigger is EventTrigger ? "Condition" : "Audience";
        if (trigger.Condition is { } condition) probes.Add((Probe($"Trigger.{triggerField}", condition), $"Trigger.{triggerField}", null));
        if (exit.Condition is { } exitCondition) probes.Add((Probe("Exit.Condition", exitCondition), "Exit.Condition", null));
        CheckProbes(name, globalParams, probes, check);
    }

    /// <summary>Runs each probe rule once against empty facts; a failure becomes a problem at the probe's path.</summary>
    internal static void CheckProbes(string name, List<ScopedParam> globalParams, List<(Rule Rule, string Path, string? Label)> probes, JourneyFileReader.Checker check)
    {
        if (probes.Count == 0) return;
        var workflow = new Workflow { WorkflowName = name, GlobalParams = globalParams, Rules = probes.Select(p => p.Rule).ToList() };
        var engine = new RulesEngine.RulesEngine([workflow], Settings());
        var results = engine.ExecuteAllRulesAsync(name, Inputs(new(), new(), new(), new(), new(), new())).GetAwaiter().GetResult();
        foreach (var result in results)
        {
            if (string.IsNullOrEmpty(result.ExceptionMessage)) continue;
            var (_, path, label) = probes.First(p => p.Rule.RuleName == result.Rule.RuleName);
            check.Add(path, label, Reason(result.ExceptionMessage));
        }
    }

    internal static Rule Probe(string name, string expression) =>
        new() { RuleName = name, Expression = expression, RuleExpressionType = RuleExpressionType.LambdaExpression };

    // "Exception while parsing expression `cart.Count > 1` - No property or field 'Count' exists in type 'CartFacts'"
    private static string Reason(string message)
    {
        var cut = message.IndexOf("` - ", StringComparison.Ordinal);
        return cut >= 0 ? $"does not compile: {message[(cut + 4)..]}" : $"fails on an empty customer: {message}";
    }
}
