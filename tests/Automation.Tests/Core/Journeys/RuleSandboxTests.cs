using Automation.Core.Journeys;

namespace Automation.Tests.Core.Journeys;

/// <summary>
/// The expression allow-list (checked on the parsed tree, so matched as the parser matched) and the evaluation budget
/// that bounds what an allowed expression can do.
/// </summary>
public sealed class RuleSandboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    // Three nested walks over the customer's traits: n³ steps.
    private const string Cubic = "customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => customer.Traits.Keys.Any(c => a + b + c == \"none\")))";

    private static string Refusal(string expression)
    {
        var compile = () => CompiledRule.Compile("probe", expression, []);
        return compile.Should().Throw<RuleCompileException>().Which.Message;
    }

    [TestCase("customer.GetType().Assembly.Location != null", "'Object.GetType()'")]
    [TestCase("customer.Name.gettype().assembly.location != \"\"", "'Object.GetType()'")]
    [TestCase("customer.Name.GETTYPE().Name != null", "'Object.GetType()'")]
    [TestCase("customer.Tags.Any(it.GetType().Name == \"x\")", "'Object.GetType()'")]
    [TestCase("customer.Tags.Select(t => t.gettype()).Any()", "'Object.GetType()'")]
    [TestCase("customer.GetHashCode() > 0", "'Object.GetHashCode()'")]
    [TestCase("stats.Rfm.gethashcode() != 0", "'Object.GetHashCode()'")]
    [TestCase("DateTime.Now.Hour > 9", "'DateTime.Now'")]
    [TestCase("DateTimeOffset.UtcNow.Year > 0", "'DateTimeOffset.UtcNow'")]
    [TestCase("Guid.NewGuid() != null", "'Guid.NewGuid()'")]
    [TestCase("TimeSpan.FromDays(1).TotalDays > 0", "'TimeSpan.FromDays()'")]
    [TestCase("Enumerable.Range(0, int.MaxValue).Count() > 0", "'Enumerable.Range()'")]
    [TestCase("Enumerable.range(0, 2147483647).Select(i => Enumerable.RANGE(0, i).Count()).Count() > 0", "'Enumerable.Range()'")]
    [TestCase("Enumerable.Repeat(\"x\", 1000000).Any()", "'Enumerable.Repeat()'")]
    [TestCase("customer.Name.PadLeft(int.MaxValue) != \"\"", "'String.PadLeft()'")]
    [TestCase("customer.Name.padright(2000000000).Length > 0", "'String.PadRight()'")]
    [TestCase("customer.Name.Replace(\"a\", customer.Name) != \"\"", "'String.Replace()'")]
    public void Reflection_clocks_randomness_and_unbounded_work_are_refused_however_they_are_spelled(string expression, string named)
    {
        Refusal(expression).Should().StartWith(named).And.Contain("is not allowed in an expression");
    }

    [TestCase("System.IO.File.Exists(\"/etc/passwd\")", "Unknown identifier 'System'")]
    [TestCase("system.io.file.Exists(\"/etc/passwd\")", "Unknown identifier 'system'")]
    [TestCase("typeof(string) != null", "Unknown identifier 'typeof'")]
    [TestCase("Activator.CreateInstance(\"x\") != null", "Unknown identifier 'Activator'")]
    public void Types_outside_the_parser_are_unknown(string expression, string reason)
    {
        Refusal(expression).Should().Contain(reason);
    }

    [Test]
    public void Too_long_or_too_deeply_nested_expressions_are_refused_before_parsing()
    {
        Refusal(new string('(', 40) + "true" + new string(')', 40)).Should().Contain($"nests brackets more than {CompiledRule.MaxNesting} deep");
        Refusal(string.Join(" && ", Enumerable.Repeat("stats.OrderCount > 0", 200))).Should().Contain($"an expression may have {CompiledRule.MaxLength:N0}");
        var bracketsInText = $"customer.Trait(\"{new string('(', 40)}\") == \"\" && customer.Name != \"{new string(')', 40)}\"";
        CompiledRule.Compile("probe", bracketsInText, []).Evaluate(Facts.Empty(), Now).Should().Be(new RuleResult(true), "brackets inside text are not nesting");
    }

    [TestCase("customer.Tags.Any(t => t == \"vip\") || customer.HasTag(\"member\")")]
    [TestCase("customer.Traits.ContainsKey(\"plan\") && customer.Traits[\"plan\"] == \"pro\" || customer.Trait(\"plan\") == \"\"")]
    [TestCase("customer.Name.Trim().ToLower().StartsWith(\"a\") || customer.Name.Length >= 0")]
    [TestCase("customer.Tier in (\"Gold\", \"Silver\") || np(customer.Name) != null")]
    [TestCase("Math.Max(stats.OrderCount, 2) > 1 && Math.Round(stats.MeanOrderIntervalDays, 1) >= 0")]
    [TestCase("customer.Tags.Where(t => t.StartsWith(\"v\")).Count() >= 0 && customer.Tags.Sum(t => t.Length) >= 0")]
    [TestCase("iif(stats.OrderCount > 2, cart.Value * 2 > stats.TotalSpent, event.Number(\"total\") >= 0)")]
    [TestCase("stats.TotalSpent.ToString() != \"\" && customer.Name.ToString() == customer.Name && customer.Tier.Equals(customer.Tier)")]
    [TestCase("Convert.ToInt32(\"12\") + int.Parse(\"3\") == 15 && customer.Traits.Keys.Contains(\"x\") == false")]
    public void What_marketers_write_is_allowed_and_runs(string expression)
    {
        var rule = CompiledRule.Compile("probe", expression, []);
        foreach (var facts in CompiledRuleTests.VariedFacts(50, seed: 3))
            rule.Evaluate(facts, Now).Error.Should().BeNull();
    }

    private static Facts WithTraits(int count, string id = "heavy") =>
        Facts.Empty() with { Customer = new CustomerFacts { Id = id, Traits = Enumerable.Range(0, count).ToDictionary(i => $"t{i}", i => "x") } };

    [Test]
    public void A_rule_past_its_step_budget_is_quarantined_and_not_run_again()
    {
        var rule = CompiledRule.Compile("heavy", $"customer.Traits.Count < 10 || {Cubic}", [], new RuleLimits(1000, TimeSpan.FromSeconds(30)));
        rule.Evaluate(WithTraits(3, "light"), Now).Should().Be(new RuleResult(true), "a small customer short-circuits");

        var result = rule.Evaluate(WithTraits(30), Now);
        result.Holds.Should().BeFalse();
        result.Error.Should().Be("quarantined: took more than 1,000 steps (Rules:MaxSteps)");
        result.QuarantinedNow.Should().Be(new RuleQuarantine("took more than 1,000 steps (Rules:MaxSteps)", "heavy", Now));
        rule.Quarantine.Should().Be(result.QuarantinedNow);

        rule.Evaluate(WithTraits(3, "light"), Now).Should().Be(new RuleResult(false), "a quarantined rule holds for no one and is not run");
    }

    [Test]
    public async Task Sixteen_evaluations_past_the_budget_at_once_quarantine_the_rule_once()
    {
        var rule = CompiledRule.Compile("heavy", Cubic, [], new RuleLimits(1000, TimeSpan.FromSeconds(30)));
        using var start = new Barrier(16);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return rule.Evaluate(WithTraits(30, $"c{i}"), Now);
        })));
        results.Should().OnlyContain(r => !r.Holds);
        results.Where(r => r.QuarantinedNow is not null).Should().ContainSingle("one evaluation reports the quarantine, and logs it");
        rule.Quarantine.Should().Be(results.Single(r => r.QuarantinedNow is not null).QuarantinedNow);
    }

    [Test]
    public void A_rule_past_its_time_budget_is_quarantined()
    {
        // About 10⁸ steps: seconds of work, cut off at the first clock read past 20 ms.
        var rule = CompiledRule.Compile("slow", $"customer.Traits.Keys.Any(d => {Cubic})", [], new RuleLimits(long.MaxValue, TimeSpan.FromMilliseconds(20)));
        var result = rule.Evaluate(WithTraits(100), Now);
        result.Error.Should().Be("quarantined: ran longer than 20 ms (Rules:MaxMilliseconds)");
        rule.Quarantine!.CustomerId.Should().Be("heavy");
    }

    [Test]
    public void Within_the_budget_an_evaluation_counts_one_step_per_item_walked()
    {
        // 1 for the rule, 1 per key visited by the outer Any, and 1 per key visited by each inner Any: 1 + 20 + 20 × 20 = 421.
        var square = "customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => a + b == \"none\"))";
        CompiledRule.Compile("fits", square, [], new RuleLimits(1000, TimeSpan.FromSeconds(30))).Evaluate(WithTraits(20), Now).Should().Be(new RuleResult(false));
        var tight = CompiledRule.Compile("tight", square, [], new RuleLimits(420, TimeSpan.FromSeconds(30)));
        tight.Evaluate(WithTraits(20), Now).Error.Should().Be("quarantined: took more than 420 steps (Rules:MaxSteps)");
    }
}
