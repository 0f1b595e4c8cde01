using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Apis;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Every journey file: status (with errors at file:line), trigger and instance counts; and the templates that do not parse.</summary>
internal sealed class JourneysModel(JourneyCatalog catalog, IJourneyQueries store, LiquidTemplates templates, IHostEnvironment environment) : PageModel
{
    public IReadOnlyList<JourneysApi.JourneyResponse> Journeys { get; private set; } = [];
    public IReadOnlyList<TemplateProblem> TemplateProblems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Journeys = JourneysApi.Describe(catalog.Current, await store.CountsAsync(ct), environment.ContentRootPath);
        TemplateProblems = TemplateHealth.Check(templates, environment.ContentRootPath);
    }
}
