using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Auth;

namespace OpenVeracruz.Platform.Data;

/// <summary>The staff accounts' part of the context: Identity's tables are its base, plus our API tokens, mail outbox and sign-in attempts.</summary>
public sealed partial class AppDbContext : IdentityDbContext<StaffUser>
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<SignInAttempt> SignInAttempts => Set<SignInAttempt>();
}
