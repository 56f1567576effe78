using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace OpenVeracruz.Platform.Auth;

/// <summary>Identity's tables and ours, in the private "auth" schema.</summary>
public static class AuthConfig
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<StaffUser>().ToTable("users", "auth");
        b.Entity<IdentityRole>().ToTable("roles", "auth");
        b.Entity<IdentityUserRole<string>>().ToTable("user_roles", "auth");
        b.Entity<IdentityUserClaim<string>>().ToTable("user_claims", "auth");
        b.Entity<IdentityUserLogin<string>>().ToTable("user_logins", "auth");
        b.Entity<IdentityUserToken<string>>().ToTable("user_tokens", "auth");
        b.Entity<IdentityRoleClaim<string>>().ToTable("role_claims", "auth");
        b.Entity<ApiToken>(e =>
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
        });
        b.Entity<OutboxEmail>(e =>
        {
            e.ToTable("outbox_emails", "auth");
            e.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(m => m.To).HasColumnName("to_address");
            e.Property(m => m.Subject).HasColumnName("subject");
            e.Property(m => m.Body).HasColumnName("body");
            e.Property(m => m.Created).HasColumnName("created");
            e.Property(m => m.Sent).HasColumnName("sent");
        });
    }
}
