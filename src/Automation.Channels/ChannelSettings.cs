using System.ComponentModel;
using MimeKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>What the channels' options sections check alike.</summary>
internal static class ChannelSettings
{
    /// <summary>Whether <c>section:key</c> holds a value: a provider counts as configured once its address or account does.</summary>
    public static bool IsSet(IConfiguration configuration, string section, string key) => !string.IsNullOrWhiteSpace(configuration[$"{section}:{key}"]);

    public static bool IsHttpAddress(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>A bare address such as shop@example.com: the sender of emails, whose domain also ends their Message-ID.</summary>
    public static bool IsEmailAddress(string text) => MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address == text && text.IndexOf('@') > 0;

    /// <summary>
    /// Refuses a value the configuration binder cannot convert (<c>Port=abc</c>) as a bad setting, with one line naming
    /// its key. Runs before binding: the binder's own refusal is an exception start-up cannot tell from any other.
    /// </summary>
    public static void CheckConvertible<TOptions>(IConfigurationSection section) => CheckConvertible(typeof(TOptions), section);

    private static void CheckConvertible(Type options, IConfigurationSection section)
    {
        foreach (var property in options.GetProperties())
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            // A nested section (Channels:Email:Tracking) is checked key by key.
            if (type.IsClass && type != typeof(string))
            {
                CheckConvertible(type, section.GetSection(property.Name));
                continue;
            }
            if (type == typeof(string) || section[property.Name] is not { } value) continue;
            try
            {
                TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
            {
                var expected = type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(bool) ? "true or false" : $"a {type.Name}";
                throw new OptionsValidationException(section.Path, options, [$"{section.Path}:{property.Name} must be {expected}, not '{value}'."]);
            }
        }
    }
}
