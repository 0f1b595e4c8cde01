using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Automation.Tests.Core.Messaging;

/// <summary>
/// Every shipped template (each journey step's and each broadcast's, each channel, each locale) rendered for one rich
/// customer and compared byte for byte with the output kept in Golden/: a change of template engine or filter must
/// not change a single message. <c>UPDATE_GOLDEN=1</c> rewrites the files (for a deliberate template change only).
/// </summary>
public sealed class GoldenTemplatesTests
{
    private static readonly DateTimeOffset Now = new(2027, 5, 14, 9, 30, 0, TimeSpan.Zero);
    private static readonly string Repository = ServerProcess.RepositoryRoot();
    private static readonly string TemplatesRoot = Path.Combine(Repository, "templates");
    private static readonly string GoldenRoot = Path.Combine(Repository, "tests", "Automation.Tests", "Core", "Messaging", "Golden");
    private static readonly bool Update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";

    /// <summary>Each shipped message file, relative to templates/: <c>cart-recovery/coupon.sms.zh-CN.liquid</c>.</summary>
    public static IEnumerable<string> ShippedTemplates() =>
        Directory.EnumerateFiles(TemplatesRoot, "*.liquid", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TemplatesRoot, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith('_'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(ShippedTemplates))]
    public void Renders_exactly_as_its_golden_files(string relative)
    {
        var parts = Render(relative);
        parts.Should().NotBeEmpty();
        foreach (var (part, text) in parts)
        {
            var golden = Path.Combine(GoldenRoot, GoldenName(relative, part));
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
            if (Update)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
                File.WriteAllBytes(golden, bytes);
            }
            File.Exists(golden).Should().BeTrue($"{golden} holds the expected {part} of {relative} (UPDATE_GOLDEN=1 writes it)");
            Encoding.UTF8.GetString(bytes).Should().Be(File.ReadAllText(golden, Encoding.UTF8), $"the {part} of {relative}");
            bytes.Should().Equal(File.ReadAllBytes(golden), $"the {part} of {relative}, byte for byte");
        }
    }

    [Test]
    public void Every_golden_file_belongs_to_a_shipped_template_part()
    {
        var expected = ShippedTemplates().SelectMany(t => Render(t).Select(p => GoldenName(t, p.Part))).ToHashSet(StringComparer.Ordinal);
        var present = Directory.Exists(GoldenRoot)
            ? Directory.EnumerateFiles(GoldenRoot, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(GoldenRoot, f).Replace('\\', '/'))
            : [];
        present.Should().BeEquivalentTo(expected, "a golden file of a removed template or part is stale");
        expected.Should().HaveCountGreaterThan(ShippedTemplates().Count() * 2, "emails have three parts and the Chinese SMS provider parameters");
    }

    // Read once: compiling every journey for each of the hundred-odd parts would take a minute.
    private static readonly Lazy<(List<(JourneyDefinition Journey, string Step, SendAction Send)> Senders, TierProgram? Tiers)> Rules = new(() =>
    {
        var files = JourneyFiles.From(new ConfigurationBuilder().Build(), Repository, new QuartzCronSchedule());
        var tiers = new TierCatalog();
        tiers.Reload(files.RulesFolder, JourneyFiles.TiersName).Should().BeEmpty();
        var senders = JourneyDirectory.Load(files.RulesFolder, files.ReadOptions)
            .Where(f => f.Journey is not null)
            .SelectMany(f => f.Journey!.Steps.Where(s => s.Action is SendAction).Select(s => (f.Journey!, s.Name, (SendAction)s.Action)))
            .ToList();
        return (senders, tiers.Program);
    });

    private static string GoldenName(string relative, string part) => $"{relative[..^".liquid".Length]}.{part}.txt";

    /// <summary>Subject, html and text of an email; body of other channels; the approved-template code and parameters of an SMS.</summary>
    private static List<(string Part, string Text)> Render(string relative)
    {
        var name = Path.GetFileName(relative).Split('.');
        var channel = name[1];
        var locale = name.Length > 3 ? name[2] : null;
        var template = $"{Path.GetDirectoryName(relative)!.Replace('\\', '/')}/{name[0]}";
        var templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(TemplatesRoot), "en"), "Demo Shop");
        var message = templates.RenderFile(Path.Combine(TemplatesRoot, relative), locale, channel, Model(template, channel, locale ?? "en-US"));
        var parts = new List<(string, string)>();
        if (message.Subject is not null) parts.Add(("subject", message.Subject));
        if (message.Html is not null) parts.Add(("html", message.Html));
        parts.Add((message.Subject is null ? "body" : "text", message.Text));
        var provider = message.ProviderTemplate;
        if (provider.Codes.Count > 0 || provider.Parameters.Count > 0)
        {
            var lines = provider.Codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}")
                .Concat(provider.Parameters.Select(p => $"param.{p.Key}: {p.Value}"));
            parts.Add(("provider", string.Join('\n', lines)));
        }
        return parts;
    }

    /// <summary>
    /// The step's own trigger and action context (as `automation validate` renders it) for a customer with markup and
    /// quotes in their name, three cart lines (one with an unsafe link, one without a link), points about to lapse,
    /// coupons and a tier below the top; broadcasts, which no journey sends, get no trigger.
    /// </summary>
    private static TemplateModel Model(string template, string channel, string locale)
    {
        var sender = Rules.Value.Senders.FirstOrDefault(s => s.Send.Template == template && s.Send.Channel == channel);

        var zh = locale.StartsWith("zh", StringComparison.Ordinal);
        var profile = new CustomerProfile
        {
            Id = 7, ExternalId = "mei-7", Email = "mei@example.com", Phone = "+8613800138000", Name = "Mei \"Lin\" <b>O'Neil</b> & Co",
            Birthday = new DateOnly(1991, 5, 20), Timezone = zh ? "Asia/Shanghai" : "America/New_York", Locale = locale,
            Traits = new JsonObject { ["firstName"] = "Mei <i>", ["lastName"] = "O'Neil", ["vip"] = true, ["plan"] = "gold & <silver>" },
        };
        var cart = new Cart(
        [
            new ProductLine("jasmine", "SKU-J", "Jasmine <Pearl> & \"Silver\" Needle", 128.5m, 2, "Tea", "https://shop.example/p/jasmine?ref=mail&x=1", "https://shop.example/i/jasmine.jpg"),
            new ProductLine("longjing", "SKU-L", "龙井茶 Longjing", 1999.99m, 1, "Tea", "javascript:alert(1)", null),
            new ProductLine("gift-box", null, null, 0.5m, 3, null, null, null),
        ], zh ? "CNY" : "USD", Now.AddHours(-3));
        var stats = CustomerStats.FromAggregates(5, 4321.75m, Now.AddDays(-200), Now.AddDays(-12));
        var program = Rules.Value.Tiers;
        var tier = program?.Tiers[Math.Max(0, program.Tiers.Count - 2)];
        var next = program?.Next(tier, new OrderTotals(stats.TotalSpent, stats.OrderCount));
        var coupon = new Automation.Core.Coupons.IssuedCoupon("welcome", "MEI-10-OFF", new Automation.Core.Coupons.CouponValue(Automation.Core.Coupons.CouponValueKind.PercentOff, 10, null), 99m, Now.AddDays(-5), Now.AddDays(9));
        var snapshot = new CustomerSnapshot(profile, stats, cart)
        {
            Tier = tier is null ? null : new TierStanding(tier.Name, Now.AddDays(-33), null, null),
            Tags = ["vip", "tea-lover"],
            PointsLedger =
            [
                new Automation.Core.Points.PointsEntry(1, 450, Automation.Core.Points.PointsKinds.Earn, "order o-1", "order:o-1", Now.AddMonths(-11), Now.AddDays(6)),
                new Automation.Core.Points.PointsEntry(2, 1200, Automation.Core.Points.PointsKinds.Earn, "order o-2", "order:o-2", Now.AddMonths(-2), Now.AddMonths(10)),
            ],
            Coupons = [coupon],
        };
        var context = sender.Send is { } send ? TemplateCheck.SampleContext(send, Now) : new JsonObject();
        var trigger = sender.Journey is { } journey ? TemplateCheck.SampleTrigger(journey, Now) : null;
        return TemplateModel.For(snapshot, sender.Journey?.Name ?? "broadcast:12", sender.Step ?? "send", Now.AddHours(-26), trigger, context,
            "https://automation.example/u/tok?e=mei%40example.com&c=1", "USD", Now, tier, next);
    }
}
