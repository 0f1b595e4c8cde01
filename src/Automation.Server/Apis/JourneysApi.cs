using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary><c>GET /v1/journeys</c>: every journey file, its status, its problems and its instance counts.</summary>
internal static class JourneysApi
{
    public sealed record JourneyResponse(
        string Name,
        string File,
        string Status,
        bool RunningLastGoodVersion,
        string? Description,
        string? Trigger,
        IReadOnlyList<ProblemResponse> Errors,
        JourneyCounts Counts);

    public sealed record ProblemResponse(string File, int Line, string? Rule, string Reason, string Text);

    public sealed record PreviewRequest(string? CustomerId);

    public sealed record PreviewResponse(string Step, string Channel, string Template, string? Variant, string? Subject, string? Html, string? Text,
        string? TemplateFile, string? Error);

    public static RouteGroupBuilder MapJourneysApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/journeys/{name}/preview", async (string name, PreviewRequest? body, JourneyCatalog catalog, ICustomerStore customers,
            LiquidTemplates templates, UnsubscribeLinks links, IOptions<TemplatesOptions> templateOptions, TierCatalog tiers, TimeProvider clock, IHostEnvironment environment, CancellationToken ct) =>
        {
            if (catalog.Current.Entries.FirstOrDefault(e => e.Name == name)?.Running is not { } journey)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Journey not found", detail: $"No runnable journey '{name}'.");
            if (string.IsNullOrWhiteSpace(body?.CustomerId))
                return ValidationProblem.For("customerId", "is required");
            if (await customers.FindAsync(body.CustomerId, ct) is not { } customer)
                return NotFoundProblem.Customer(body.CustomerId);

            var now = clock.GetUtcNow();
            var previews = new List<PreviewResponse>();
            foreach (var step in journey.Steps.Where(s => s.Action == JourneyActions.Send))
            {
                var arms = step.ActionContext["Variants"] is JsonArray variants
                    ? variants.OfType<JsonObject>().Select(v => (Name: (string?)v["Name"]!.GetValue<string>(), Context: Variants.Apply(step.ActionContext, v))).ToList()
                    : [(Name: (string?)null, Context: step.ActionContext)];
                foreach (var (variant, context) in arms)
                {
                    var channel = context["Channel"]!.GetValue<string>();
                    var template = context["Template"]!.GetValue<string>();
                    var recipient = channel == "sms" ? customer.Profile.Phone : customer.Profile.Email;
                    try
                    {
                        var model = TemplateModel.For(customer, journey.Name, step.Name, now, null, context,
                            links.UrlFor(channel, recipient ?? "preview"), templateOptions.Value.DefaultCurrency, now, tiers.Program?.Find(customer.Tier?.Tier));
                        var message = templates.Render(template, channel, model);
                        previews.Add(new PreviewResponse(step.Name, channel, template, variant, message.Subject, message.Html, message.Text,
                            Path.GetRelativePath(environment.ContentRootPath, message.TemplateFile), null));
                    }
                    catch (TemplateException e)
                    {
                        previews.Add(new PreviewResponse(step.Name, channel, template, variant, null, null, null,
                            Path.GetRelativePath(environment.ContentRootPath, e.File), $"{Path.GetRelativePath(environment.ContentRootPath, e.File)}:{e.Line}: {e.Reason}"));
                    }
                }
            }
            return Results.Ok(previews);
        });

        v1.MapGet("/journeys", async (JourneyCatalog catalog, IJourneyStore store, IHostEnvironment environment, CancellationToken ct) =>
        {
            var counts = await store.CountsAsync(ct);
            var root = environment.ContentRootPath;
            return Results.Ok(catalog.Current.Entries.Select(e => new JourneyResponse(
                e.Name,
                Path.GetRelativePath(root, e.File),
                e.Status.ToString().ToLowerInvariant(),
                e.Status == JourneyStatus.Invalid && e.Running is not null,
                e.Running?.Description,
                Describe(e.Running?.Trigger),
                [.. e.Problems.Select(p => new ProblemResponse(Path.GetRelativePath(root, p.File), p.Line, p.Rule, p.Reason,
                    (p with { File = Path.GetRelativePath(root, p.File) }).ToString()))],
                counts.GetValueOrDefault(e.Name) ?? new JourneyCounts(0, 0, 0))));
        });
        return v1;
    }

    private static string? Describe(JourneyTrigger? trigger) => trigger switch
    {
        EventTrigger e => $"event: {string.Join(", ", e.Events)}",
        ScheduleTrigger s => $"schedule: {s.Cron} (customer-local)",
        ScanTrigger s => $"scan: every {s.Every}",
        _ => null,
    };
}
