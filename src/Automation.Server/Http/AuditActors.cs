using System.Security.Claims;
using Automation.Core.Audit;
using Automation.Server.MarketerConsole;

namespace Automation.Server.Http;

/// <summary>Who a request acts for, as the audit log names them: the API key's name, or the console user's.</summary>
internal static class AuditActors
{
    public static AuditActor Of(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? throw new InvalidOperationException("An audited change was made by a request that is not signed in.");
        return user.Identity.AuthenticationType == ConsoleServices.Scheme ? AuditActor.Console(name) : AuditActor.Api(name);
    }
}
