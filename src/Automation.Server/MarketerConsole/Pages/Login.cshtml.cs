using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Signs a configured console user in; failures are slowed and, past a few, refused for a while.</summary>
internal sealed class LoginModel(IOptions<ConsoleOptions> options, LoginThrottle throttle, TimeProvider clock) : PageModel
{
    /// <summary>How long a failed attempt waits before it answers, in real time: guessing gets slow without locking anyone out at once.</summary>
    internal static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);

    public bool HasUsers => options.Value.Users.Count > 0;
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
            Error = $"Too many failed attempts. Try again after {until:HH:mm} UTC.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        var user = options.Value.Find(name);
        if (!ConsolePasswords.Verify(user, password ?? ""))
        {
            await Task.Delay(FailureDelay, HttpContext.RequestAborted);
            Error = "Wrong name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await throttle.SucceededAsync(name, address, HttpContext.RequestAborted);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user!.Name),
            new Claim(ConsoleServices.SignedInAtClaim, clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], ConsoleServices.Scheme);
        await HttpContext.SignInAsync(ConsoleServices.Scheme, new ClaimsPrincipal(identity));
        return LocalRedirect(returnUrl is not null && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith(ConsoleServices.BasePath, StringComparison.Ordinal)
            ? returnUrl : $"{ConsoleServices.BasePath}/journeys");
    }
}
