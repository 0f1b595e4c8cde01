using Automation.Core.Customers;

namespace Automation.Core.Messaging;

/// <summary>Where a channel finds whom to send to in a customer's profile.</summary>
/// <param name="Noun">What the address is, as in "the customer has no phone number".</param>
/// <param name="Read">The address in a profile, or null when the profile has none.</param>
public sealed record RecipientField(string Noun, Func<CustomerProfile, string?> Read);
