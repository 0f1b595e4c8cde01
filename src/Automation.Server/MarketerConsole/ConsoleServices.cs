using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Automation.Server.MarketerConsole.Editing;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>The marketer console at <c>/console</c>: Razor Pages behind a cookie sign-in of its own, apart from the API keys.</summary>
internal static class ConsoleServices
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string BasePath = "/console";

    /// <summary>The claim holding when the user signed in, so a session ends on time however its cookie was renewed.</summary>
    public const string SignedInAtClaim = "signed_in_at";

    public static void AddConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ReportCache>();
        services.AddSingleton<AnalyticsReportSet>();
        services.AddHostedService<AnalyticsWarmer>();
        services.AddSingleton<Editing.DraftValidator>();
        services.AddSingleton<Editing.DraftPreviewer>();
        services.AddSingleton<Editing.DraftSimulator>();

        services.AddAuthentication().AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "automation-console";
            options.Cookie.Path = BasePath;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.LoginPath = $"{BasePath}/login";
            options.LogoutPath = $"{BasePath}/logout";
            options.AccessDeniedPath = $"{BasePath}/login";
            options.SlidingExpiration = false;
            options.Events.OnValidatePrincipal = EndExpiredSessionAsync;
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<TimeProvider, IOptions<ConsoleOptions>>((options, clock, console) =>
        {
            options.TimeProvider = clock;
            options.ExpireTimeSpan = TimeSpan.FromMinutes(console.Value.SessionMinutes);
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());

        services.AddRazorPages(options =>
        {
            options.RootDirectory = "/MarketerConsole/Pages";
            options.Conventions.AuthorizeFolder("/", Policy);
            options.Conventions.AllowAnonymousToPage("/Login");
        });
    }

    public static void MapConsole(this WebApplication app)
    {
        app.MapGet($"{BasePath}/console.css", () => Results.Text(Stylesheet.Value, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapEditorAssets();
        app.MapGet(BasePath, () => Results.Redirect($"{BasePath}/journeys")).RequireAuthorization(Policy);
        app.MapRazorPages();
    }

    /// <summary>
    /// Sets the console's security headers: no framing of the console, no scripts (previews are sandboxed too) but the
    /// editor's own bundle on the editor's page.
    /// </summary>
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(BasePath))
        {
            var headers = context.Response.Headers;
            var scripts = context.Request.Path.StartsWithSegments(EditorAssets.PagePath) ? "'self'" : "'none'";
            headers.ContentSecurityPolicy = $"default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; script-src {scripts}; frame-ancestors 'none'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
        }
        await next(context);
    });

    /// <summary>A session ends <see cref="ConsoleOptions.SessionMinutes"/> after its sign-in, and at once when its user leaves the configuration.</summary>
    private static async Task EndExpiredSessionAsync(CookieValidatePrincipalContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var now = context.Options.TimeProvider!.GetUtcNow();
        var signedIn = long.TryParse(context.Principal?.FindFirstValue(SignedInAtClaim), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        var name = context.Principal?.Identity?.Name;
        if (signedIn is null || signedIn.Value.AddMinutes(options.SessionMinutes) <= now || name is null || options.Find(name) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Automation.Server.MarketerConsole.console.css")
            ?? throw new InvalidOperationException("console.css is not embedded in the server.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
