using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpenVeracruz.Platform.Auth;

/// <summary>
/// Identity's tables and ours, in the private "auth" schema. Applied by the context's assembly scan, after Identity's
/// own model (base.OnModelCreating), so the table names here win.
/// </summary>
public sealed class AuthConfig :
    IEntityTypeConfiguration<StaffUser>, IEntityTypeConfiguration<IdentityRole>, IEntityTypeConfiguration<IdentityUserRole<string>>,
    IEntityTypeConfiguration<IdentityUserClaim<string>>, IEntityTypeConfiguration<IdentityUserLogin<string>>,
    IEntityTypeConfiguration<IdentityUserToken<string>>, IEntityTypeConfiguration<IdentityRoleClaim<string>>,
    IEntityTypeConfiguration<ApiToken>, IEntityTypeConfiguration<OutboxEmail>, IEntityTypeConfiguration<SignInAttempt>
{
    public void Configure(EntityTypeBuilder<StaffUser> b) => b.ToTable("users", "auth");
    public void Configure(EntityTypeBuilder<IdentityRole> b) => b.ToTable("roles", "auth");
    public void Configure(EntityTypeBuilder<IdentityUserRole<string>> b) => b.ToTable("user_roles", "auth");
    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> b) => b.ToTable("user_claims", "auth");
    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> b) => b.ToTable("user_logins", "auth");
    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> b) => b.ToTable("user_tokens", "auth");
    public void Configure(EntityTypeBuilder<IdentityRoleClaim<string>> b) => b.ToTable("role_claims", "auth");

    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.ToTable("api_tokens", "auth");
        e.Property(t => t.Id).HasColumnName("id");
        e.Property(t => t.UserId).HasColumnName("user_id");
        e.Property(t => t.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(t => t.Hash).HasColumnName("hash").HasMaxLength(64);
        e.HasIndex(t => t.Hash).IsUnique();
        e.Property(t => t.Prefix).HasColumnName("prefix").HasMaxLength(12);
        e.Property(t => t.Created).HasColumnName("created");
        e.Property(t => t.LastUsed).HasColumnName("last_used");
        e.Property(t => t.Revoked).HasColumnName("revoked");
        e.HasOne<StaffUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<OutboxEmail> e)
    {
        e.ToTable("outbox_emails", "auth");
        e.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        e.Property(m => m.To).HasColumnName("to_address");
        e.Property(m => m.Subject).HasColumnName("subject");
        e.Property(m => m.Body).HasColumnName("body");
        e.Property(m => m.Created).HasColumnName("created");
        e.Property(m => m.Sent).HasColumnName("sent");
    }

    public void Configure(EntityTypeBuilder<SignInAttempt> e)
    {
        e.ToTable("sign_in_attempts", "auth");
        e.HasKey(a => new { a.UserId, a.Address });
        e.Property(a => a.UserId).HasColumnName("user_id");
        e.Property(a => a.Address).HasColumnName("address").HasMaxLength(64);
        e.Property(a => a.Attempts).HasColumnName("attempts");
        e.Property(a => a.LastAttempt).HasColumnName("last_attempt");
        e.HasOne<StaffUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
