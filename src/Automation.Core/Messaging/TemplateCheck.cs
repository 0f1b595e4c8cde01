using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;

namespace Automation.Core.Messaging;

/// <summary>
/// Renders every template a journey sends — each localised variant — against a sample customer with that step's
/// action context, so a missing variable or a bad filter is found before a customer would have been sent it.
/// </summary>
public static class TemplateCheck
{
    /// <param name="tiers">The tier program; the sample customer holds the tier below the top, so <c>tier.next</c> is filled.</param>
    /// <param name="smsProvider">A template-based SMS provider (<c>aliyun</c>, <c>tencent</c>): every SMS template must name its template code.</param>
    public static IReadOnlyList<TemplateException> Check(LiquidTemplates templates, IEnumerable<JourneyDefinition> journeys, DateTimeOffset now,
        Tiers.TierProgram? tiers = null, string? smsProvider = null)
    {
        var problems = new List<TemplateException>();
        var checkedFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var journey in journeys)
        {
            foreach (var step in journey.Steps)
            {
                if (step.Action is not SendAction send) continue;
                foreach (var (file, locale) in Variants(templates.Files, send.Template, send.Channel))
                {
                    if (!checkedFiles.Add($"{file}|{step.Name}|{journey.Name}")) continue;
                    try
                    {
                        var rendered = templates.RenderFile(file, locale, send.Channel, Sample(journey, step.Name, send, locale, now, tiers));
                        if (send.Channel == "sms" && smsProvider is not null && !rendered.ProviderTemplate.Codes.ContainsKey(smsProvider))
                            throw new TemplateException(file, 1, $"Channels:Sms:Provider is {smsProvider}, which sends only approved templates: add '{ProviderSmsTemplate.KeyOf(smsProvider)}: <code>' and its param.<name> lines to the front matter");
                    }
                    catch (TemplateException e)
                    {
                        if (problems.All(p => p.Message != e.Message)) problems.Add(e);
                    }
                }
            }
        }
        return problems;
    }

    /// <summary>A customer with every fact filled, so only the template itself can fail.</summary>
    public static TemplateModel Sample(JourneyDefinition journey, string step, SendAction send, string? locale, DateTimeOffset now, Tiers.TierProgram? tiers = null)
    {
        var profile = new CustomerProfile
        {
            Id = 1, ExternalId = "sample-customer", Email = "sample@example.com", Phone = "+14155550123", Name = "Sam Sample",
            Birthday = new DateOnly(1990, 4, 21), Timezone = "UTC", Locale = locale,
            Traits = new JsonObject { ["firstName"] = "Sam", ["lastName"] = "Sample" },
        };
        var cart = new Cart([new ProductLine("sample-product", "SKU-1", "Sample product", 19.9m, 2, "Samples", "https://shop.example/p/sample", "https://shop.example/p/sample.jpg")], "USD", now.AddHours(-2));
        var stats = CustomerStats.FromAggregates(2, 59.7m, now.AddDays(-40), now.AddDays(-10));
        var tier = tiers?.Tiers[Math.Max(0, tiers.Tiers.Count - 2)];
        var next = tiers?.Next(tier, new Tiers.OrderTotals(stats.TotalSpent, stats.OrderCount));
        var snapshot = new CustomerSnapshot(profile, stats, cart)
        {
            Tier = tier is null ? null : new Tiers.TierStanding(tier.Name, now.AddDays(-1), null, null),
            Tags = ["sample"],
            PointsLedger = [new Points.PointsEntry(1, 120, Points.PointsKinds.Earn, "order sample-order", "order:sample-order", now.AddMonths(-11), now.AddDays(10))],
            Coupons = [SampleCoupon("sample", now)],
        };
        var context = SampleContext(send, now);
        var trigger = SampleTrigger(journey, now);
        return TemplateModel.For(snapshot, journey.Name, step, now.AddHours(-1), trigger, context, "https://automation.example/u/sample", "USD", now, tier, next);
    }

    /// <summary>The step's action context as sent: a step that names a campaign carries a code of it.</summary>
    public static JsonObject SampleContext(SendAction send, DateTimeOffset now)
    {
        if (send.Coupon is null) return send.Context;
        var context = (JsonObject)send.Context.DeepClone();
        context["Coupon"] = SampleCoupon(send.Coupon, now).ToContext();
        return context;
    }

    /// <summary>The event that starts an event-triggered journey, with the properties its templates read; null for others.</summary>
    public static JsonObject? SampleTrigger(JourneyDefinition journey, DateTimeOffset now) => journey.Trigger is EventTrigger e
        ? new JsonObject
        {
            ["name"] = e.Events[0],
            ["properties"] = Teams.TeamEngine.SampleProperties(e.Events[0]) ?? Presales.PresaleAnnouncer.SampleProperties(e.Events[0]) ?? Rewards.RewardRedemptions.SampleProperties(e.Events[0]) ?? Products.ReplenishmentReminders.SampleProperties(e.Events[0], now) ?? Products.ProductEvents.SampleProperties(e.Events[0]) ?? new JsonObject { ["order_id"] = "sample-order", ["total"] = 39.8, ["currency"] = "USD" },
        }
        : null;

    private static Coupons.IssuedCoupon SampleCoupon(string campaign, DateTimeOffset now) =>
        new(campaign, "SAMPLE-CODE", new Coupons.CouponValue(Coupons.CouponValueKind.AmountOff, 10, "USD"), 50, now.AddDays(-27), now.AddDays(3));

    private static IEnumerable<(string File, string? Locale)> Variants(TemplateFiles files, string template, string channel)
    {
        var folder = Path.GetDirectoryName(Path.Combine(files.Root, template))!;
        var prefix = $"{Path.GetFileName(template)}.{channel}.";
        foreach (var file in files.Folder.FilesIn(folder))
        {
            var name = Path.GetFileName(file);
            if (name.Length < prefix.Length + "liquid".Length || !name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith("liquid", StringComparison.Ordinal)) continue;
            var middle = name[prefix.Length..^"liquid".Length].TrimEnd('.');
            yield return (file, middle.Length == 0 ? null : middle);
        }
    }
}
