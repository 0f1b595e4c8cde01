using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Tools;

/// <summary>A send step rendered for one customer and variant, or the template's error (file:line: reason).</summary>
/// <param name="TemplateFile">The file rendered, relative to the content root.</param>
public sealed record StepPreview(string Step, string Channel, string Template, string? Variant, string? Subject, string? Html, string? Text,
    string? TemplateFile, string? Error);

/// <summary>A broadcast rendered for its segment's first member: the segment's size now, that member (null: nobody is in it), when they would get it, the renders.</summary>
public sealed record BroadcastPreview(long Audience, string? CustomerId, DateTimeOffset? DueAt, IReadOnlyList<StepPreview> Previews);

/// <summary>
/// Renders a journey's send steps, every variant, for a customer as the dispatcher would; shared by
/// <c>POST /v1/journeys/{name}/preview</c> and the console's preview page.
/// </summary>
internal sealed class StepPreviewer(LiquidTemplates templates, UnsubscribeLinks links, IReadOnlyDictionary<string, IChannel> channels,
    IOptions<TemplatesOptions> templateOptions, TierCatalog tiers, Automation.Core.Points.PointsSettings points, TimeProvider clock, IHostEnvironment environment)
{
    /// <summary>
    /// A stored customer's net spend and orders over the tier window, as the dispatcher reads them for <c>tier.next</c>;
    /// zero without a tier program.
    /// </summary>
    public async Task<OrderTotals> TierWindowAsync(ICustomerStore customers, long customerId, CancellationToken ct)
    {
        if (tiers.Program is not { } program) return default;
        var now = clock.GetUtcNow();
        return await customers.OrderTotalsAsync(customerId, now.AddDays(-program.WindowDays), now, ct);
    }

    /// <summary>The same previewer rendering from <paramref name="draftTemplates"/>: the templates with a draft in place of its file.</summary>
    public StepPreviewer With(LiquidTemplates draftTemplates) => new(draftTemplates, links, channels, templateOptions, tiers, points, clock, environment);

    /// <summary>Sample data has no dated orders: its stats stand for the tier window.</summary>
    public static OrderTotals SampleTierWindow(CustomerSnapshot sample) => new(sample.Stats.TotalSpent, sample.Stats.OrderCount);

    /// <summary>
    /// The send steps of <paramref name="journey"/> (only <paramref name="step"/> when given), rendered for
    /// <paramref name="customer"/>, whose spend and orders over the tier window are <paramref name="tierWindow"/>.
    /// </summary>
    public IReadOnlyList<StepPreview> Preview(JourneyDefinition journey, CustomerSnapshot customer, OrderTotals tierWindow, string? step = null)
    {
        var previews = new List<StepPreview>();
        foreach (var sendStep in journey.Steps)
        {
            if (sendStep.Action is not SendAction send || (step is not null && sendStep.Name != step)) continue;
            previews.AddRange(PreviewSend(journey.Name, sendStep.Name, send.Context, customer, tierWindow));
        }
        return previews;
    }

    /// <summary>
    /// One send (every variant of its context) rendered for <paramref name="customer"/>, with the event that triggered
    /// it when there is one; a broadcast's preview is one.
    /// </summary>
    public IReadOnlyList<StepPreview> PreviewSend(string journey, string step, JsonObject sendContext, CustomerSnapshot customer, OrderTotals tierWindow,
        JsonObject? triggerEvent = null)
    {
        var now = clock.GetUtcNow();
        var program = tiers.Program;
        var held = program?.Find(customer.Tier?.Tier);
        var next = program?.Next(held, tierWindow);
        var previews = new List<StepPreview>();
        var arms = sendContext["Variants"] is JsonArray variants
            ? variants.OfType<JsonObject>().Select(v => (Name: (string?)v["Name"]!.GetValue<string>(), Context: Variants.Apply(sendContext, v))).ToList()
            : [(Name: (string?)null, Context: sendContext)];
        foreach (var (variant, context) in arms)
        {
            var channel = context["Channel"]!.GetValue<string>();
            var template = context["Template"]!.GetValue<string>();
            var recipient = channels[channel].Recipient.Read(customer.Profile);
            try
            {
                var model = TemplateModel.For(customer, journey, step, now, triggerEvent, context,
                    links.UrlFor(channel, recipient ?? "preview"), templateOptions.Value.DefaultCurrency, now, held, next, points);
                var message = templates.Render(template, channel, model);
                previews.Add(new StepPreview(step, channel, template, variant, message.Subject, message.Html, message.Text, Relative(message.TemplateFile), null));
            }
            catch (TemplateException e)
            {
                previews.Add(new StepPreview(step, channel, template, variant, null, null, null, Relative(e.File), $"{Relative(e.File)}:{e.Line}: {e.Reason}"));
            }
        }
        return previews;
    }

    /// <summary>
    /// A broadcast request rendered for its segment's first member, with the time that member would get it, as
    /// <c>POST /v1/broadcasts/preview</c> and the console's form show it; no customer and no renders for an empty segment.
    /// </summary>
    public async Task<BroadcastPreview> PreviewBroadcastAsync(Apis.BroadcastRequest body, Apis.CheckedBroadcast request, Hosting.SegmentCounts counts,
        Core.Segments.SegmentMembers members, ICustomerStore customers, DateTimeOffset now, CancellationToken ct)
    {
        var audience = (await counts.CountAsync(request.Segment!, ct)).Count;
        var first = await members.PageAsync(request.Segment!, 0, 1, ct);
        if (first.Count == 0 || await customers.FindAsync(first[0].Profile.ExternalId ?? first[0].Profile.AnonymousId ?? "", ct) is not { } member)
            return new BroadcastPreview(audience, null, null, []);
        var draft = new Core.Broadcasts.Broadcast(0, body.Name ?? "preview", body.Segment!, body.Channel!, body.Template!, request.SendAt, body.LocalTime,
            body.Presale, body.HoldoutPercent ?? 0, request.Variants, Core.Broadcasts.BroadcastStatus.Scheduled, audience, 0, 0, 0, now, null, null);
        var (dueAt, triggerEvent) = Core.Broadcasts.BroadcastTiming.For(draft, member, request.Sale, tiers.Program, request.SendAt);
        var previews = PreviewSend(draft.Journey, Core.Broadcasts.BroadcastSender.Step, Core.Broadcasts.BroadcastSender.Context(draft), member,
            await TierWindowAsync(customers, member.Profile.Id, ct), triggerEvent);
        return new BroadcastPreview(audience, member.Profile.ExternalId ?? member.Profile.AnonymousId, dueAt, previews);
    }

    private string Relative(string file) => Path.GetRelativePath(environment.ContentRootPath, file);
}
