using Automation.Core.Broadcasts;
using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Presales;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Apis;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Automation.Server.Tools;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// The new-broadcast form: checked exactly as <c>POST /v1/broadcasts</c> checks its body (the same field errors, shown
/// next to their fields); Preview renders the message for the segment's first member as <c>POST /v1/broadcasts/preview</c>
/// does, Schedule stores the broadcast and opens its page.
/// </summary>
[ConsoleRole(ConsoleRole.Admin)]
internal sealed class BroadcastNewModel(SegmentCatalog segments, SegmentCounts counts, SegmentMembers members, IReadOnlyDictionary<string, IChannel> channels,
    LiquidTemplates templates, PresaleCatalog presales, TierCatalog tiers, ICustomerStore customers, StepPreviewer previewer, IBroadcastStore store,
    TimeProvider clock) : PageModel
{
    [BindProperty]
    public BroadcastForm Form { get; set; } = new();

    public IReadOnlyList<(string Name, long Count)> SegmentChoices { get; private set; } = [];
    public IReadOnlyList<string> Channels { get; private set; } = [];
    public IReadOnlyList<TemplateChoices.Choice> Templates { get; private set; } = [];
    public IReadOnlyList<string> Presales { get; private set; } = [];
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];

    /// <summary>The preview: the segment's size now, whom it was rendered for (null: nobody is in the segment) and the renders.</summary>
    public BroadcastPreview? Preview { get; private set; }

    /// <summary>The errors of <paramref name="field"/>, to show next to it.</summary>
    public IEnumerable<string> ErrorsOf(string field) => Errors.Where(e => e.Field == field).Select(e => e.Message);

    public async Task OnGetAsync(string? segment, CancellationToken ct)
    {
        Form.Segment = segment;
        Form.IdempotencyKey = Guid.NewGuid().ToString("N");
        await ListChoicesAsync(ct);
    }

    public async Task OnPostPreviewAsync(CancellationToken ct)
    {
        await ListChoicesAsync(ct);
        var now = clock.GetUtcNow();
        var (body, formErrors) = Form.ToRequest();
        var request = CheckedBroadcast.Check(body, preview: true, segments, channels, templates.Files, presales, tiers.Program, now);
        if (Failed(formErrors, request))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Preview = await previewer.PreviewBroadcastAsync(body, request, counts, members, customers, now, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        await ListChoicesAsync(ct);
        var now = clock.GetUtcNow();
        var (body, formErrors) = Form.ToRequest();
        var request = CheckedBroadcast.Check(body, preview: false, segments, channels, templates.Files, presales, tiers.Program, now);
        if (Failed(formErrors, request))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var audience = (await counts.CountAsync(request.Segment!, ct)).Count;
        var key = string.IsNullOrWhiteSpace(Form.IdempotencyKey) || Form.IdempotencyKey.Length > DrawsApi.MaxKeyLength ? null : Form.IdempotencyKey;
        var (id, _) = await store.CreateBroadcastAsync(new NewBroadcast(key, body.Name!, body.Segment!, body.Channel!, body.Template!, request.SendAt,
            body.LocalTime, body.Presale, body.HoldoutPercent ?? 0, request.Variants, audience, now), AuditActors.Of(User), ct);
        return Redirect($"/console/broadcasts/{id}");
    }

    private bool Failed(IReadOnlyList<FieldError> formErrors, CheckedBroadcast request)
    {
        // A field the form could not read (a holdout that is no number) is reported once, as the form's own error.
        Errors = [.. formErrors, .. request.Errors.Where(e => formErrors.All(f => f.Field != e.Field))];
        Form.PadVariants();
        return Errors.Count > 0;
    }

    private async Task ListChoicesAsync(CancellationToken ct)
    {
        var choices = new List<(string, long)>();
        foreach (var segment in segments.Segments.OrderBy(s => s.Name, StringComparer.Ordinal)) choices.Add((segment.Name, (await counts.CountAsync(segment, ct)).Count));
        SegmentChoices = choices;
        Channels = [.. channels.Keys.Order(StringComparer.Ordinal)];
        Templates = TemplateChoices.For(templates.Files, Channels);
        Presales = [.. presales.Sales.Where(s => s.AnnouncedByBroadcast).Select(s => s.Name)];
        Form.PadVariants();
    }
}
