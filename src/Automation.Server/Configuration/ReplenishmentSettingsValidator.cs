using Automation.Core.Products;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>Stops start-up on a <c>Replenishment</c> setting out of range, naming the key.</summary>
internal sealed class ReplenishmentSettingsValidator : IValidateOptions<ReplenishmentSettings>
{
    public ValidateOptionsResult Validate(string? name, ReplenishmentSettings options) =>
        options.Problems().FirstOrDefault() is { } problem ? ValidateOptionsResult.Fail(problem + ".") : ValidateOptionsResult.Success;
}
