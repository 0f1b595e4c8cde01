using Automation.Benchmarks.Load;
using Automation.Core.Journeys;
using Automation.Server.Hosting;
using BenchmarkDotNet.Attributes;
using RulesEngine.Models;

namespace Automation.Benchmarks;

/// <summary>
/// Rule evaluation of the six starter journeys (every step, trigger and exit expression: 18 per customer) over
/// generated customers, three ways in one run: Automation's compiled rules, the same workflows through a plain
/// <c>RulesEngine.ExecuteAllRulesAsync</c> call per customer and journey, and hand-written C# (the floor).
/// One operation is one rule evaluation, so 1 / (time per op) is evaluations per second.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- --filter *Evaluation*</c>.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const int Customers = 2_000;
    private const int RulesPerCustomer = 18;
    private static readonly string[] Starter = ["welcome-series", "cart-recovery", "replenishment", "win-back", "member-day", "birthday"];

    private Facts[] _facts = [];
    private RuleParameter[][] _inputs = [];
    private CompiledJourney[] _journeys = [];
    private RulesEngine.RulesEngine _engine = null!;
    private string[] _workflows = [];

    [GlobalSetup]
    public void Setup()
    {
        var rules = Path.Combine(IngestLoad.RepositoryRoot(), "rules");
        var definitions = JourneyDirectory.Load(DiskFolderProvider.Open(rules), new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null))
            .Where(f => Starter.Contains(Path.GetFileNameWithoutExtension(f.File))).Select(f => f.Journey!).OrderBy(j => Array.IndexOf(Starter, j.Name)).ToList();
        _journeys = [.. definitions.Select(CompiledJourney.From)];
        var counted = _journeys.Sum(j => j.Steps.Count + (j.Trigger is null ? 0 : 1) + (j.Exit is null ? 0 : 1));
        if (counted != RulesPerCustomer) throw new InvalidOperationException($"The starter journeys hold {counted} expressions, not {RulesPerCustomer}.");

        var workflows = new List<Workflow>();
        foreach (var journey in definitions)
        {
            workflows.Add(journey.Workflow);
            var conditions = new List<Rule>();
            if (journey.Trigger.Condition is { } trigger) conditions.Add(new Rule { RuleName = "trigger", Expression = trigger, RuleExpressionType = RuleExpressionType.LambdaExpression });
            if (journey.Exit.Condition is { } exit) conditions.Add(new Rule { RuleName = "exit", Expression = exit, RuleExpressionType = RuleExpressionType.LambdaExpression });
            if (conditions.Count > 0) workflows.Add(new Workflow { WorkflowName = $"{journey.Name}:conditions", GlobalParams = journey.Workflow.GlobalParams, Rules = conditions });
        }
        _engine = new RulesEngine.RulesEngine([.. workflows], RuleCompilation.Settings());
        _workflows = [.. workflows.Select(w => w.WorkflowName)];

        _facts = [.. GeneratedFacts.Take(Customers)];
        _inputs = [.. _facts.Select(f => f.ToInputs())];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Customers * RulesPerCustomer)]
    public int Compiled()
    {
        var holding = 0;
        foreach (var facts in _facts)
        {
            foreach (var journey in _journeys)
            {
                if (journey.Trigger?.Evaluate(facts, DateTimeOffset.UnixEpoch).Holds == true) holding++;
                if (journey.Exit?.Evaluate(facts, DateTimeOffset.UnixEpoch).Holds == true) holding++;
                foreach (var (_, rule) in journey.Steps)
                    if (rule.Evaluate(facts, DateTimeOffset.UnixEpoch).Holds) holding++;
            }
        }
        return holding;
    }

    [Benchmark(OperationsPerInvoke = Customers * RulesPerCustomer)]
    public async Task<int> PlainRulesEngine()
    {
        var holding = 0;
        foreach (var inputs in _inputs)
        {
            foreach (var workflow in _workflows)
                holding += (await _engine.ExecuteAllRulesAsync(workflow, inputs)).Count(r => r.IsSuccess);
        }
        return holding;
    }

    [Benchmark(OperationsPerInvoke = Customers * RulesPerCustomer)]
    public int HandWritten()
    {
        var holding = 0;
        foreach (var f in _facts)
        {
            foreach (var rule in HandWrittenRules)
                if (rule(f)) holding++;
        }
        return holding;
    }

    // The same 18 expressions as rules/welcome-series, cart-recovery, replenishment, win-back, member-day and birthday.
    private static readonly Func<Facts, bool>[] HandWrittenRules =
    [
        f => f.Stats.OrderCount == 1,
        f => f.Stats.OrderCount >= 2 && f.Journey.HasDone("guide"),
        f => f.Journey.HoursSinceEntry >= 0,
        f => f.Journey.DaysSinceEntry >= 3,
        f => f.Journey.DaysSinceEntry >= 7 && f.Stats.OrderCount < 2,
        f => f.Journey.HoursSinceEntry >= 1 && f.Cart.ItemCount > 0,
        f => f.Journey.HoursSinceEntry >= 24 && f.Cart.ItemCount > 0,
        f => f.Customer.EmailConsent,
        f => !f.Customer.EmailConsent && f.Customer.SmsConsent,
        f => f.Stats.OrderCount > 0 && f.Stats.DaysSinceLastOrder >= 60 && !(f.Customer.DaysSinceLastEmailOpen >= 0 && f.Customer.DaysSinceLastEmailOpen < 30),
        f => f.Journey.HoursSinceEntry >= 0,
        f => f.Stats.DaysSinceLastOrder >= 90,
        f => f.Customer.Tier != "",
        f => f.Journey.HoursSinceEntry >= 0,
        f => f.Now.IsBirthday,
        f => f.Journey.HoursSinceEntry >= 0,
        f => f.Journey.HoursSinceEntry >= 0,
        f => f.Journey.HoursSinceEntry >= 0,
    ];

    /// <summary>Shoppers' facts as journeys see them mid-journey: a spread of order histories, carts, tiers and journey ages.</summary>
    internal static IEnumerable<Facts> GeneratedFacts
    {
        get
        {
            var random = new Random(42);
            string[] tiers = ["", "Member", "Member", "Silver", "Gold"];
            for (var i = 0; ; i++)
            {
                var orders = random.Next(0, 8);
                var hasCart = random.NextDouble() < 0.3;
                yield return new Facts(
                    new CustomerFacts { Id = $"shopper-{i}", Email = $"shopper-{i}@example.com", Tier = tiers[random.Next(tiers.Length)], Points = random.Next(0, 800), EmailConsent = true, Tags = orders > 1 ? ["repeat"] : [] },
                    new StatsFacts
                    {
                        OrderCount = orders, TotalSpent = orders * 60m, DaysSinceLastOrder = orders == 0 ? -1 : random.Next(0, 180),
                        DaysSinceFirstOrder = orders == 0 ? -1 : random.Next(0, 365), MeanOrderIntervalDays = orders >= 2 ? 20 + random.Next(0, 40) : 0,
                    },
                    hasCart ? new CartFacts { ItemCount = 1 + random.Next(0, 3), Value = 40m, HoursSinceLastChange = random.NextDouble() * 48 } : new CartFacts(),
                    FactsBuilder.Event("Order Completed", new System.Text.Json.Nodes.JsonObject { ["order_id"] = $"o{i}", ["total"] = 60 }),
                    new JourneyFacts { HoursSinceEntry = random.NextDouble() * 400, DaysSinceEntry = random.NextDouble() * 16, HoursSinceLastStep = random.NextDouble() * 48, StepsDone = random.Next(0, 2) == 0 ? [] : ["thank-you", "guide"] },
                    new NowFacts { Hour = random.Next(0, 24), Weekday = random.Next(0, 7), Day = random.Next(1, 29), Month = random.Next(1, 13), Year = 2026, IsBirthday = random.Next(0, 365) == 0 });
            }
        }
    }
}
