using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;
using RulesEngine.Models;

namespace Automation.Tests.Core.Journeys;

/// <summary>Compiled rules answer as RulesEngine does, for every shipped expression over varied customers.</summary>
public sealed class CompiledRuleTests
{
    private static readonly string[] Tiers = ["", "Member", "Silver", "Gold"];

    /// <summary>Customers with every fact varied, zero and empty included.</summary>
    public static IEnumerable<Facts> VariedFacts(int count, int seed)
    {
        var random = new Random(seed);
        string[] tags = ["new", "active", "repeat", "dormant", "lapsed", "high-value", "member", "vip"];
        for (var i = 0; i < count; i++)
        {
            var orders = random.Next(6);
            yield return new Facts(
                new CustomerFacts
                {
                    Id = $"c{i}", Email = random.Next(4) == 0 ? "" : $"c{i}@example.com", Tier = Tiers[random.Next(Tiers.Length)],
                    Points = random.Next(500), PointsExpiring = random.Next(3) == 0 ? random.Next(100) : 0, PointsExpiringInDays = random.Next(-1, 40),
                    EmailConsent = random.Next(5) > 0, SmsConsent = random.Next(2) == 0,
                    Tags = [.. tags.Where(_ => random.Next(4) == 0)],
                },
                new StatsFacts
                {
                    OrderCount = orders, TotalSpent = orders * random.Next(10, 200),
                    DaysSinceLastOrder = orders == 0 ? -1 : random.Next(200), DaysSinceFirstOrder = orders == 0 ? -1 : random.Next(400),
                    MeanOrderIntervalDays = orders < 2 ? 0 : random.Next(5, 90), CouponOrderCount = random.Next(orders + 1),
                    Rfm = orders == 0 ? new RfmFacts() : new RfmFacts { R = random.Next(1, 6), F = random.Next(1, 6), M = random.Next(1, 6) },
                },
                random.Next(2) == 0 ? new CartFacts() : new CartFacts { ItemCount = random.Next(1, 4), Value = random.Next(5, 300), HoursSinceLastChange = random.NextDouble() * 72 },
                random.Next(2) == 0 ? new EventFacts() : FactsBuilder.Event("Order Completed", new System.Text.Json.Nodes.JsonObject
                {
                    ["total"] = random.Next(500), ["products"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["usage_days"] = random.Next(0, 60) }),
                }),
                new JourneyFacts { HoursSinceEntry = random.NextDouble() * 800, DaysSinceEntry = random.NextDouble() * 33, HoursSinceLastStep = random.NextDouble() * 100, StepsDone = random.Next(2) == 0 ? [] : ["guide", "reminder"] },
                new NowFacts { Hour = random.Next(24), Weekday = random.Next(7), Day = random.Next(1, 29), Month = random.Next(1, 13), Year = 2026, IsBirthday = random.Next(10) == 0 });
        }
    }

    [Test]
    public async Task Every_shipped_journey_and_tag_rule_answers_as_RulesEngine_does()
    {
        var files = JourneyFiles.From(new ConfigurationBuilder().Build(), ServerProcess.RepositoryRoot(), new QuartzCronSchedule());
        var workflows = JourneyDirectory.Load(files.RulesFolder, files.ReadOptions).Select(f => f.Journey!.Workflow).ToList();
        var tagCatalog = new TagCatalog();
        tagCatalog.Reload(files.RulesFolder, JourneyFiles.TagsName).Should().BeEmpty();
        var tagWorkflow = new Workflow
        {
            WorkflowName = TagRuleSet.WorkflowName,
            Rules = [.. tagCatalog.Rules!.Rules.Select(r => new Rule { RuleName = r.Name, Expression = TagExpression(files.RulesFolder.PathOf(JourneyFiles.TagsName), r.Name), RuleExpressionType = RuleExpressionType.LambdaExpression })],
        };
        workflows.Add(tagWorkflow);
        var engine = new RulesEngine.RulesEngine([.. workflows], RuleCompilation.Settings());
        var compiled = workflows.ToDictionary(w => w.WorkflowName, w => w.Rules.Select(r => CompiledRule.Compile(r.RuleName, r.Expression, (w.GlobalParams ?? []).Concat(r.LocalParams ?? []))).ToList());

        var compared = 0;
        foreach (var facts in VariedFacts(300, seed: 11))
        {
            foreach (var workflow in workflows)
            {
                var expected = await engine.ExecuteAllRulesAsync(workflow.WorkflowName, facts.ToInputs());
                var actual = compiled[workflow.WorkflowName].Select(r => r.Evaluate(facts, DateTimeOffset.UnixEpoch).Holds).ToList();
                actual.Should().Equal(expected.Select(e => e.IsSuccess), $"{workflow.WorkflowName} for {facts.Customer.Id}");
                compared += actual.Count;
            }
        }
        compared.Should().BeGreaterThan(300 * 20);
    }

    [Test]
    public void Params_are_seen_by_later_params_and_the_rule_and_a_throwing_rule_does_not_hold()
    {
        var rule = CompiledRule.Compile("big", "basket > threshold", [
            new ScopedParam { Name = "threshold", Expression = "customer.Tier == \"Gold\" ? 50 : 100" },
            new ScopedParam { Name = "basket", Expression = "cart.Value + threshold * 0" },
        ]);
        var facts = VariedFacts(1, 1).Single() with { Cart = new CartFacts { Value = 75 } };
        rule.Evaluate(facts with { Customer = new CustomerFacts { Tier = "Gold" } }, DateTimeOffset.UnixEpoch).Holds.Should().BeTrue();
        rule.Evaluate(facts with { Customer = new CustomerFacts { Tier = "Silver" } }, DateTimeOffset.UnixEpoch).Should().Be(new RuleResult(false));

        var throwing = CompiledRule.Compile("bad", "1 / (cart.ItemCount - cart.ItemCount) > 0", []);
        var result = throwing.Evaluate(facts, DateTimeOffset.UnixEpoch);
        result.Holds.Should().BeFalse();
        result.Error.Should().Contain("divide by zero");
        throwing.Quarantine.Should().BeNull("an expression that throws fails that evaluation only");
    }

    private static string TagExpression(string file, string tag) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!["Rules"]!.AsArray().Single(r => r!["RuleName"]!.GetValue<string>() == tag)!["Expression"]!.GetValue<string>();
}
