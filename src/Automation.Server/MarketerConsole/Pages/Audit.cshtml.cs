using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Apis;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>The audit log, newest first, filtered as <c>GET /v1/audit</c> filters it, each entry's before and after side by side.</summary>
[ConsoleRole(ConsoleRole.Publisher)]
internal sealed class AuditModel(IAuditLog audit) : PageModel
{
    public const int PageSize = 50;

    public string? Actor { get; private set; }
    public string? Action { get; private set; }
    public string? Target { get; private set; }
    public string? Since { get; private set; }
    public string? Until { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];
    public AuditPage Entries { get; private set; } = new([], null);

    public async Task OnGetAsync(string? actor, string? action, string? target, string? since, string? until, long? cursor, CancellationToken ct)
    {
        (Actor, Action, Target, Since, Until) = (actor, action, target, since, until);
        var (query, errors) = AuditApi.Read(actor, action, target, since, until, cursor, PageSize);
        Errors = errors;
        if (errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Entries = await audit.ReadAsync(query, ct);
    }

    /// <summary>This page's filters with the next page's cursor.</summary>
    public string NextLink(long cursor) => QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = Actor, ["action"] = Action, ["target"] = Target, ["since"] = Since, ["until"] = Until,
        ["cursor"] = cursor.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrWhiteSpace(p.Value))).ToUriComponent();
}
