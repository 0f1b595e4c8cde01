using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>The <c>Channels:File</c> section.</summary>
public sealed class FileOutboxOptions
{
    public const string Section = "Channels:File";

    /// <summary>Folder for the files, relative to the content root.</summary>
    public string Path { get; set; } = "data/outbox";

    /// <summary>Sender of the .eml files.</summary>
    public string From { get; set; } = "automation@localhost";
}

/// <summary>Checks the <c>Channels:File</c> section.</summary>
internal sealed class FileOutboxOptionsValidator : IValidateOptions<FileOutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, FileOutboxOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path)) return ValidateOptionsResult.Fail("Channels:File:Path must name the folder for the files, such as data/outbox.");
        if (!ChannelSettings.IsEmailAddress(options.From))
            return ValidateOptionsResult.Fail($"Channels:File:From must be an email address such as automation@localhost, not '{options.From}'.");
        return ValidateOptionsResult.Success;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>The <c>file</c> channel, and the <c>Channels:File</c> section every channel without a provider writes by.</summary>
    public static IServiceCollection AddFileOutboxChannel(this IServiceCollection services)
    {
        services.AddChannelOptions<FileOutboxOptions, FileOutboxOptionsValidator>(FileOutboxOptions.Section);
        return services.AddFileOutboxFor("file", Recipients.AnyAddress);
    }
}
