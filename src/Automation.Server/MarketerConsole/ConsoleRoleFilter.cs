using System.Reflection;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// The least role a console page (on its model) or one of its handlers (on the method) needs; a page or handler without
/// it needs only a signed-in user (<see cref="ConsoleRole.Viewer"/>). Razor Pages authorize whole pages only, so
/// <see cref="ConsoleRoleFilter"/> checks this before the handler runs.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConsoleRoleAttribute(ConsoleRole least) : Attribute
{
    public ConsoleRole Least { get; } = least;

    /// <summary>The role a handler needs: the higher of its own attribute and its page's.</summary>
    public static ConsoleRole Needed(Type page, MethodInfo? handler) =>
        (ConsoleRole)Math.Max((int)(page.GetCustomAttribute<ConsoleRoleAttribute>()?.Least ?? ConsoleRole.Viewer),
            (int)(handler?.GetCustomAttribute<ConsoleRoleAttribute>()?.Least ?? ConsoleRole.Viewer));
}

/// <summary>Refuses (403, <see cref="ConsoleForbidden"/>) a console handler to a user whose role is below its <see cref="ConsoleRoleAttribute"/>.</summary>
internal sealed class ConsoleRoleFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var needed = ConsoleRoleAttribute.Needed(context.HandlerInstance.GetType(), context.HandlerMethod?.MethodInfo);
        // Signed-out visitors never get here on a page that needs a role: the folder's policy sent them to sign in.
        if (needed > ConsoleRole.Viewer && !ConsoleRoles.Can(context.HttpContext.User, needed))
        {
            context.HttpContext.Items[ConsoleForbidden.NeededKey] = needed;
            context.Result = new ForbidResult(ConsoleServices.Scheme);
            return;
        }
        await next();
    }
}

/// <summary>The console's answer to a user whose role may not do what they asked: a 403 page saying which role it needs.</summary>
internal static class ConsoleForbidden
{
    public const string NeededKey = "console-role-needed";

    public static async Task WriteAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        var http = context.HttpContext;
        var user = http.User;
        var needed = http.Items[NeededKey] is ConsoleRole role ? $"the {ConsoleRoles.Word(role)} role or higher" : "a higher role";
        var name = System.Net.WebUtility.HtmlEncode(user.Identity?.Name ?? "");
        var held = ConsoleRoles.Of(user) is { } r ? ConsoleRoles.Word(r) : "no role";
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Not allowed · Automation console</title><link rel="stylesheet" href="{ConsoleServices.BasePath}/console.css"></head>
            <body><main id="main"><h1>Not allowed</h1>
            <p class="error" role="alert">You are signed in as {name} ({held}). This needs {needed}; ask an admin to change your role in <code>Console:Users</code>.</p>
            <p><a href="{ConsoleServices.BasePath}/journeys">Back to the console</a></p></main></body></html>
            """, http.RequestAborted);
    }
}
