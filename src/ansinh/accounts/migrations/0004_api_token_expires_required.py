# Every token has an expiry once 0003 has filled in the existing ones.

import ansinh.accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_signin_password_and_token_expiry'),
    ]

    operations = [
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(default=ansinh.accounts.models.token_expiry, verbose_name='expires'),
        ),
    ]
