"""The People First campaign's texts in English, Ukrainian and Russian (demo data)."""

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "People First",
        "summary": (
            "A call to everyone who may take part in talks to end Russia’s war against "
            "Ukraine: whatever else is negotiated, the fate of people must come first."
        ),
        "statement": (
            "On 28 January 2025, 31 Ukrainian, Russian and international human-rights "
            "organisations launched the **People First** campaign. It was initiated by the "
            "Center for Civil Liberties and Memorial.\n\n"
            "We are addressing everyone who may take part in negotiations to end Russia’s "
            "war against Ukraine. Many difficult questions will be on the table. But "
            "whatever else is agreed, **the fate of people must come first**.\n\n"
            "Behind the diplomatic language are people deprived of their freedom. According "
            "to Ukraine’s ombudsperson, Russia is unlawfully holding about 16,000 Ukrainian "
            "civilians. Of all prisoners of war held by the two sides, roughly two thirds "
            "are Ukrainians held by Russia. Behind every number is a person, and a family "
            "waiting for them.\n\n"
            "In Russia itself, people who spoke out against the war are behind bars. "
            "Freeing people cannot wait until everything else has been settled, and human "
            "beings must never become bargaining chips.\n\n"
            "We call on everyone at the negotiating table to make our demands a priority at "
            "every stage."
        ),
        "demands": (
            "1. The immediate and unconditional release of all Ukrainian civilians "
            "unlawfully detained by Russia, adults and children alike, and their safe "
            "return home.\n"
            "2. The return of Ukrainian children forcibly transferred or deported to Russia "
            "and to the territories it occupies, and their reunification with their "
            "families.\n"
            "3. The release and repatriation of prisoners of war, through exchanges or "
            "otherwise, and no later than the end of active hostilities, as the Geneva "
            "Conventions require; until then, humane treatment of prisoners and access to "
            "them for the International Committee of the Red Cross (ICRC).\n"
            "4. The release of people imprisoned in Russia for speaking out against the "
            "war."
        ),
    },
    "uk": {
        "title": "Люди передусім",
        "summary": (
            "Заклик до всіх, хто може взяти участь у переговорах про завершення війни Росії "
            "проти України: хоч би про що домовлялися сторони, доля людей має бути на "
            "першому місці."
        ),
        "statement": (
            "28 січня 2025 року українські, російські та міжнародні правозахисні "
            "організації — загалом 31 — започаткували кампанію **«Люди передусім»**. Її "
            "ініціаторами стали Центр громадянських свобод і «Меморіал».\n\n"
            "Ми звертаємося до всіх, хто може взяти участь у переговорах про завершення "
            "війни Росії проти України. Під час переговорів ітиметься про чимало складних "
            "питань. Але хоч би про що домовлялися сторони, **доля людей має бути на "
            "першому місці**.\n\n"
            "За дипломатичними формулюваннями стоять люди, позбавлені волі. За даними "
            "Уповноваженого Верховної Ради України з прав людини, Росія незаконно утримує "
            "близько 16 тисяч українських цивільних. З усіх військовополонених, яких "
            "утримують обидві сторони, приблизно дві третини — українці в російському "
            "полоні. За кожною цифрою — людина і родина, яка на неї чекає.\n\n"
            "У самій Росії за ґратами опинилися люди, які виступили проти війни. Звільнення "
            "людей не можна відкладати, доки не буде врегульовано все інше, і люди ніколи "
            "не повинні ставати розмінною монетою.\n\n"
            "Ми закликаємо всіх, хто братиме участь у переговорах, зробити наші вимоги "
            "пріоритетом на кожному етапі."
        ),
        "demands": (
            "1. Негайне й беззастережне звільнення всіх українських цивільних — дорослих і "
            "дітей, — яких Росія незаконно утримує, та їхнє безпечне повернення додому.\n"
            "2. Повернення всіх депортованих і примусово переміщених українських дітей з "
            "Росії та з окупованих нею територій і їхнє воззʼєднання з родинами.\n"
            "3. Звільнення та репатріація військовополонених — шляхом обмінів чи в інший "
            "спосіб — не пізніше завершення активних бойових дій, як того вимагають "
            "Женевські конвенції, а до того — гуманне поводження з полоненими та доступ до "
            "них Міжнародного комітету Червоного Хреста (МКЧХ).\n"
            "4. Звільнення людей, увʼязнених у Росії за те, що вони виступили проти війни."
        ),
    },
    "ru": {
        "title": "Люди прежде всего",
        "summary": (
            "Призыв ко всем, кто может участвовать в переговорах о прекращении войны России "
            "против Украины: о чём бы ни договаривались стороны, судьба людей должна быть "
            "на первом месте."
        ),
        "statement": (
            "28 января 2025 года украинские, российские и международные правозащитные "
            "организации — всего 31 — запустили кампанию **«Люди прежде всего»**. Её "
            "инициаторами стали Центр гражданских свобод и «Мемориал».\n\n"
            "Мы обращаемся ко всем, кто может принять участие в переговорах о прекращении "
            "войны России против Украины. На переговорах будет решаться немало сложных "
            "вопросов. Но о чём бы ни договаривались стороны, **судьба людей должна быть на "
            "первом месте**.\n\n"
            "За дипломатическими формулировками стоят люди, лишённые свободы. По данным "
            "Уполномоченного Верховной Рады Украины по правам человека, Россия незаконно "
            "удерживает около 16 тысяч украинских гражданских лиц. Из всех военнопленных, "
            "которых удерживают обе стороны, примерно две трети — украинцы в российском "
            "плену. За каждой цифрой — человек и семья, которая его ждёт.\n\n"
            "В самой России за решёткой оказались люди, выступившие против войны. "
            "Освобождение людей нельзя откладывать до тех пор, пока не будет решено всё "
            "остальное, и люди никогда не должны становиться разменной монетой.\n\n"
            "Мы призываем всех, кто будет участвовать в переговорах, сделать наши "
            "требования приоритетом на каждом этапе."
        ),
        "demands": (
            "1. Немедленное и безусловное освобождение всех украинских гражданских лиц — "
            "взрослых и детей, — незаконно удерживаемых Россией, и их безопасное "
            "возвращение домой.\n"
            "2. Возвращение украинских детей, принудительно перемещённых или "
            "депортированных в Россию и на оккупированные ею территории, и их воссоединение "
            "с семьями.\n"
            "3. Освобождение и репатриация военнопленных — путём обменов или иным образом — "
            "не позднее окончания активных боевых действий, как того требуют Женевские "
            "конвенции, а до тех пор — гуманное обращение с пленными и доступ к ним "
            "Международного комитета Красного Креста (МККК).\n"
            "4. Освобождение людей, заключённых в России за выступления против войны."
        ),
    },
}
