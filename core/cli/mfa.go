package cli

import (
	"context"
	"fmt"

	"yiwang/sso"
)

func init() {
	register("mfa", "工作人员动态验证码：reset --account 编号（手机丢失时重新绑定）| rekey（密钥丢失时：全部重新绑定）", mfaCmd)
}

const mfaUsage = `用法:
  yiwang mfa reset --account 编号 | --sub SUB [--issuer URL]   清除此人的动态验证码，下次登录管理后台时重新绑定
  yiwang mfa rekey --yes                                      密钥丢失时：清除所有人的动态验证码和旧密钥的记录，
                                                               服务可用新密钥启动，每位工作人员重新绑定`

// mfaCmd is the county office's remedy when a second factor is lost: one
// person's phone, or the key that seals every secret.
func mfaCmd(ctx context.Context, e *env, args []string) error {
	sub, args, done, err := subcommand(e, mfaUsage, args)
	if done {
		return err
	}
	fs, sf := commandFlags(e, "mfa "+sub)
	account := fs.Int64("account", 0, "账号编号")
	subject := fs.String("sub", "", "身份提供方中的用户标识（sub）")
	issuer := fs.String("issuer", "", "身份提供方的 issuer")
	yes := fs.Bool("yes", false, "确认清除所有人的动态验证码")
	if sub != "reset" && sub != "rekey" {
		return usageError{"未知子命令“" + sub + "”\n" + mfaUsage}
	}
	p, err := sf.parseOpen(ctx, e, fs, args)
	if err != nil {
		return err
	}
	defer p.Close()
	if sub == "rekey" {
		if !*yes {
			return usageError{"rekey 会让每位工作人员重新绑定动态验证码：确认请加 --yes"}
		}
		n, err := sso.ForgetSealedSecrets(ctx, p.db, actor())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已清除 %d 个动态验证码和旧密钥的记录。请给每台服务器配置同一个新密钥后启动；工作人员下次登录管理后台时重新绑定。\n", n)
		return nil
	}
	acc, err := resolveAccount(ctx, p.db, *account, *issuer, *subject, "", false)
	if err != nil {
		return err
	}
	if err := sso.ResetTOTP(ctx, p.db, actor(), acc.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已清除 %s（编号 %d）的动态验证码，此人下次登录管理后台时重新绑定。\n", acc.DisplayName(), acc.ID)
	return nil
}
