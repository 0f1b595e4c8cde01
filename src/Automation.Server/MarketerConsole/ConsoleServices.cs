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

    /// <summary>Any signed-in console user; a page or handler that needs more names its role (<see cref="ConsoleRoleAttribute"/>).</summary>
    public const string Policy = ConsoleRoles.Viewer;
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
            options.SlidingExpiration = false;
            options.Events.OnValidatePrincipal = CheckSessionAsync;
            options.Events.OnRedirectToAccessDenied = ConsoleForbidden.WriteAsync;
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<TimeProvider, IOptions<ConsoleOptions>>((options, clock, console) =>
        {
            options.TimeProvider = clock;
            options.ExpireTimeSpan = TimeSpan.FromMinutes(console.Value.SessionMinutes);
        });
        ConsoleRoles.AddPolicies(services.AddAuthorizationBuilder());
        services.AddHostedService<ConsoleRolesAtStart>();

        services.AddRazorPages(options =>
        {
            options.RootDirectory = "/MarketerConsole/Pages";
            options.Conventions.AuthorizeFolder("/", Policy);
            options.Conventions.AllowAnonymousToPage("/Login");
        }).AddMvcOptions(options => options.Filters.Add(new ConsoleRoleFilter()));
    }

    private const string BroadcastFormPath = BasePath + "/broadcasts/new";

    public static void MapConsole(this WebApplication app)
    {
        app.MapGet($"{BasePath}/console.css", () => Results.Text(Stylesheet.Value, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapGet($"{BasePath}/broadcast-form.js", () => Results.Text(BroadcastFormScript.Value, "text/javascript; charset=utf-8")).AllowAnonymous();
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
            // Scripts run only on the pages that have one: the editor, and the broadcast form's live preview.
            var scripts = context.Request.Path.StartsWithSegments(EditorAssets.PagePath) || context.Request.Path.StartsWithSegments(BroadcastFormPath) ? "'self'" : "'none'";
            headers.ContentSecurityPolicy = $"default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; script-src {scripts}; frame-ancestors 'none'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
        }
        await next(context);
    });

    /// <summary>
    /// A session ends <see cref="ConsoleOptions.SessionMinutes"/> after its sign-in, and at once when its user leaves the
    /// configuration. The role is read from the configuration as it is now, not as it was at sign-in: a user given
    /// another role has it from the next request, on every node, and the cookie is renewed with it.
    /// </summary>
    private static async Task CheckSessionAsync(CookieValidatePrincipalContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ConsoleOptions>>().CurrentValue;
        var now = context.Options.TimeProvider!.GetUtcNow();
        var signedIn = long.TryParse(context.Principal?.FindFirstValue(SignedInAtClaim), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        var name = context.Principal?.Identity?.Name;
        var user = name is null ? null : options.Find(name);
        if (signedIn is null || signedIn.Value.AddMinutes(options.SessionMinutes) <= now || user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var role = ConsoleRoles.Word(user.EffectiveRole);
        if (context.Principal!.FindFirstValue(ConsoleRoles.Claim) == role) return;
        context.ReplacePrincipal(Principal(user, signedIn.Value));
        context.ShouldRenew = true;
    }

    /// <summary>The signed-in user as the cookie carries them: name, role and when they signed in.</summary>
    public static ClaimsPrincipal Principal(ConsoleUser user, DateTimeOffset signedInAt) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, user.Name),
        new Claim(ConsoleRoles.Claim, ConsoleRoles.Word(user.EffectiveRole)),
        new Claim(SignedInAtClaim, signedInAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ], Scheme));

    private static readonly Lazy<string> Stylesheet = new(() => Embedded("console.css"));

    private static readonly Lazy<string> BroadcastFormScript = new(() => Embedded("broadcast-form.js"));

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Automation.Server.MarketerConsole.{name}")
            ?? throw new InvalidOperationException($"{name} is not embedded in the server.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
