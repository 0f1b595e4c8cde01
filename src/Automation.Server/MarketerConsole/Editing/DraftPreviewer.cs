using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.MarketerConsole.Pages;
using Automation.Server.Tools;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>A template draft rendered for a customer, every step that sends it; or why it could not be.</summary>
public sealed record DraftPreview(string? Error, string? RenderedFor, IReadOnlyList<StepPreview> Previews);

/// <summary>
/// Renders a template draft as the Preview page renders a step (<see cref="StepPreviewer"/>), for a stored customer
/// or the sample data, in a chosen locale: the journeys running now, with the draft in place of its template file.
/// </summary>
internal sealed class DraftPreviewer(JourneyFiles folders, JourneyCatalog catalog, ICustomerStore customers, StepPreviewer previewer, TimeProvider clock)
{
    public async Task<DraftPreview> PreviewAsync(EditableFile file, string content, string? customerTerm, string? locale, CancellationToken ct)
    {
        if (file.Kind != EditableKind.Template) return new DraftPreview("Only a template is previewed; simulate a journey.", null, []);
        var (template, channel, fileLocale) = TemplateOf(Path.GetRelativePath(folders.TemplatesFolder.Root, file.FullPath).Replace(Path.DirectorySeparatorChar, '/'));
        var steps = catalog.Current.Running
            .SelectMany(j => j.Steps.Where(s => s.Action is SendAction send && send.Template == template && send.Channel == channel).Select(s => (Journey: j, Step: s)))
            .ToList();
        if (steps.Count == 0) return new DraftPreview($"No running journey's step sends {template} by {channel}.", null, []);

        CustomerSnapshot customer;
        OrderTotals tierWindow;
        string renderedFor;
        var term = customerTerm?.Trim();
        if (!string.IsNullOrEmpty(term))
        {
            if (await DraftCustomers.FindAsync(customers, term, ct) is not { } stored) return new DraftPreview($"No customer has the id or email '{term}'.", null, []);
            customer = stored;
            tierWindow = await previewer.TierWindowAsync(customers, stored.Profile.Id, ct);
            renderedFor = $"customer {stored.Profile.ExternalId ?? stored.Profile.AnonymousId}";
        }
        else
        {
            customer = SampleCustomer.From((JsonObject)JsonNode.Parse(PreviewModel.DefaultSample)!, clock.GetUtcNow());
            tierWindow = StepPreviewer.SampleTierWindow(customer);
            renderedFor = "the sample data";
        }
        var chosenLocale = string.IsNullOrWhiteSpace(locale) ? fileLocale : locale.Trim();
        if (chosenLocale is not null) customer = customer with { Profile = customer.Profile with { Locale = chosenLocale } };

        using var draft = folders.WithDraft(file.FullPath, content, clock.GetUtcNow());
        var drafted = previewer.With(draft.CreateTemplates());
        var previews = steps.SelectMany(s => drafted.PreviewSend(s.Journey.Name, s.Step.Name, ((SendAction)s.Step.Action).Context, customer, tierWindow)).ToList();
        return new DraftPreview(null, chosenLocale is null ? renderedFor : $"{renderedFor} in {chosenLocale}", previews);
    }

    /// <summary>A template file's template name, channel and locale: <c>welcome/hello.email.de.liquid</c> is welcome/hello by email in de.</summary>
    public static (string Template, string Channel, string? Locale) TemplateOf(string name)
    {
        var folder = Path.GetDirectoryName(name)?.Replace(Path.DirectorySeparatorChar, '/');
        var parts = Path.GetFileName(name)[..^".liquid".Length].Split('.');
        var template = string.IsNullOrEmpty(folder) ? parts[0] : $"{folder}/{parts[0]}";
        return (template, parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? parts[2] : null);
    }
}
