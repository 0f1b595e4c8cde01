using Automation.Core.Audit;
using Automation.Core.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Signs a configured console user in; failures are slowed and, past a few, refused for a while.</summary>
internal sealed class LoginModel(IOptionsMonitor<ConsoleOptions> options, LoginThrottle throttle, IAuditLog audit, TimeProvider clock) : PageModel
{
    /// <summary>How long a failed attempt waits before it answers, in real time: guessing gets slow without locking anyone out at once.</summary>
    internal static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);

    public bool HasUsers => options.CurrentValue.Users.Count > 0;
    public string? Error { get; private set; }
    public string? Name { get; private set; }
    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? name, string? password, string? returnUrl)
    {
        Name = name;
        ReturnUrl = returnUrl;
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        name = name?.Trim() ?? "";
        if (await throttle.AttemptAsync(name, address, HttpContext.RequestAborted) is { } until)
        {
            await RecordRefusedAsync(name, address, "throttled");
            Error = $"Too many failed attempts. Try again after {until:HH:mm} UTC.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        var user = options.CurrentValue.Find(name);
        if (!ConsolePasswords.Verify(user, password ?? ""))
        {
            await RecordRefusedAsync(name, address, "wrong name or password");
            await Task.Delay(FailureDelay, HttpContext.RequestAborted);
            Error = "Wrong name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await throttle.SucceededAsync(name, address, HttpContext.RequestAborted);
        var now = clock.GetUtcNow();
        await audit.RecordAsync(new AuditEntry(now, AuditActor.Console(user!.Name), AuditActions.UserSignIn, AuditActions.UserTarget(user.Name), null,
            AuditEntry.Json(new { role = ConsoleRoles.Word(user.EffectiveRole), address })), HttpContext.RequestAborted);
        await HttpContext.SignInAsync(ConsoleServices.Scheme, ConsoleServices.Principal(user, now));
        return LocalRedirect(returnUrl is not null && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith(ConsoleServices.BasePath, StringComparison.Ordinal)
            ? returnUrl : $"{ConsoleServices.BasePath}/journeys");
    }

    /// <summary>A refused sign-in, in the audit log under the name tried (cut to <see cref="TriedNameLength"/> characters: anyone may type anything).</summary>
    private Task RecordRefusedAsync(string name, string address, string reason)
    {
        var tried = name.Length > TriedNameLength ? name[..TriedNameLength] : name;
        return audit.RecordAsync(new AuditEntry(clock.GetUtcNow(), AuditActor.Console(tried), AuditActions.UserSignInRefused, AuditActions.UserTarget(tried), null,
            AuditEntry.Json(new { reason, address })), HttpContext.RequestAborted);
    }

    private const int TriedNameLength = 100;
}
