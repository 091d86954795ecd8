"""The People First campaign's texts in the site's languages (English, Ukrainian, Russian) and
in the other letter languages (Turkish, Arabic, French, Italian): demo data."""

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
    # The letter languages (petition.i18n.LETTER_LANGUAGES): the site is not offered in
    # these, so signers never see them; letters to parties that correspond in them do.
    "tr": {
        "title": "Önce İnsan",
        "summary": (
            "Rusya’nın Ukrayna’ya karşı savaşını sona erdirmeye yönelik müzakerelere "
            "katılabilecek herkese bir çağrı: başka ne üzerinde anlaşılırsa anlaşılsın, "
            "insanların yazgısı önce gelmelidir."
        ),
        "statement": (
            "28 Ocak 2025’te Ukraynalı, Rus ve uluslararası 31 insan hakları örgütü **Önce "
            "İnsan** kampanyasını başlattı. Kampanya, Sivil Özgürlükler Merkezi ile "
            "Memorial’in girişimiyle hayata geçirildi.\n\n"
            "Rusya’nın Ukrayna’ya karşı savaşını sona erdirmeye yönelik müzakerelerde yer "
            "alabilecek herkese sesleniyoruz. Masada pek çok zor mesele olacak. Ancak başka "
            "ne üzerinde anlaşılırsa anlaşılsın, **insanların yazgısı önce gelmelidir**.\n\n"
            "Diplomatik ifadelerin ardında özgürlüğünden yoksun bırakılmış insanlar var. "
            "Ukrayna Parlamentosu İnsan Hakları Komiserine göre Rusya, yaklaşık 16.000 "
            "Ukraynalı sivili hukuka aykırı biçimde alıkoymaktadır. İki tarafın elindeki "
            "savaş esirlerinin yaklaşık üçte ikisi, Rusya’nın elinde tutulan Ukraynalılardır. "
            "Her sayının ardında bir insan ve onu bekleyen bir aile var.\n\n"
            "Bizzat Rusya’da da savaşa karşı sesini yükselten insanlar parmaklıklar "
            "ardındadır. İnsanların özgürlüğüne kavuşması, diğer her şeyin çözülmesini "
            "bekleyemez; insanlar hiçbir zaman pazarlık kozuna dönüştürülmemelidir.\n\n"
            "Müzakere masasındaki herkese, taleplerimizi her aşamada öncelikli kılma "
            "çağrısında bulunuyoruz."
        ),
        "demands": (
            "1. Rusya’nın hukuka aykırı biçimde alıkoyduğu, yetişkin ve çocuk tüm Ukraynalı "
            "sivillerin derhal ve koşulsuz olarak serbest bırakılması ve evlerine güvenle "
            "dönmelerinin sağlanması.\n"
            "2. Rusya’ya ve Rusya’nın işgali altındaki topraklara zorla nakledilen ya da "
            "sürgün edilen Ukraynalı çocukların geri getirilmesi ve aileleriyle yeniden "
            "kavuşturulması.\n"
            "3. Savaş esirlerinin, Cenevre Sözleşmelerinin gerektirdiği üzere, takas yoluyla "
            "ya da başka bir biçimde ve en geç fiilî çatışmaların sona ermesiyle serbest "
            "bırakılması ve ülkelerine geri gönderilmesi; o zamana kadar esirlere insanca "
            "muamele edilmesi ve Uluslararası Kızılhaç Komitesinin (ICRC) esirlere "
            "erişiminin sağlanması.\n"
            "4. Rusya’da savaşa karşı sesini yükselttiği için hapsedilen insanların serbest "
            "bırakılması."
        ),
    },
    "ar": {
        "title": "الإنسان أولاً",
        "summary": (
            "نداء إلى كل من قد يشارك في المفاوضات الرامية إلى إنهاء حرب روسيا على أوكرانيا: "
            "مهما كان موضوع التفاوض، يجب أن يأتي مصير الناس أولاً."
        ),
        "statement": (
            "في 28 يناير 2025، أطلقت 31 منظمة أوكرانية وروسية ودولية لحقوق الإنسان حملة "
            "**«الإنسان أولاً»**، بمبادرة من مركز الحريات المدنية ومنظمة «ميموريال».\n\n"
            "نتوجه إلى كل من قد يشارك في المفاوضات الرامية إلى إنهاء حرب روسيا على "
            "أوكرانيا. ستطرح على طاولة المفاوضات قضايا صعبة كثيرة، ولكن مهما كان ما "
            "يتم الاتفاق عليه، **يجب أن يأتي مصير الناس أولاً**.\n\n"
            "وراء اللغة الدبلوماسية أناس حرموا من حريتهم. فوفقاً لمفوض البرلمان "
            "الأوكراني لحقوق الإنسان، تحتجز روسيا بصورة غير قانونية نحو 16 ألف مدني "
            "أوكراني. ومن بين جميع أسرى الحرب الذين يحتجزهم الطرفان، يشكل الأوكرانيون "
            "المحتجزون لدى روسيا نحو الثلثين. ووراء كل رقم إنسان، وعائلة تنتظره.\n\n"
            "وفي روسيا نفسها، يقبع خلف القضبان أشخاص جاهروا بمعارضتهم للحرب. إن الإفراج "
            "عن الناس لا يمكن أن ينتظر حتى تسوى سائر المسائل، ولا يجوز أبداً أن يتحول "
            "البشر إلى أوراق مساومة.\n\n"
            "ندعو جميع الجالسين إلى طاولة المفاوضات إلى جعل مطالبنا أولوية في كل مرحلة."
        ),
        "demands": (
            "1. الإفراج الفوري وغير المشروط عن جميع المدنيين الأوكرانيين الذين تحتجزهم روسيا "
            "بصورة غير قانونية، بالغين وأطفالاً، وعودتهم الآمنة إلى ديارهم.\n"
            "2. إعادة الأطفال الأوكرانيين الذين نقلوا قسراً أو تم ترحيلهم إلى روسيا وإلى "
            "الأراضي التي تحتلها، ولم شملهم بعائلاتهم.\n"
            "3. الإفراج عن أسرى الحرب وإعادتهم إلى أوطانهم، عن طريق التبادل أو بغير ذلك، في "
            "موعد أقصاه انتهاء الأعمال العدائية الفعلية، كما تقتضي اتفاقيات جنيف؛ وحتى ذلك "
            "الحين، معاملة الأسرى معاملة إنسانية وتمكين اللجنة الدولية للصليب الأحمر من "
            "الوصول إليهم.\n"
            "4. الإفراج عن الأشخاص المسجونين في روسيا بسبب جهرهم بمعارضة الحرب."
        ),
    },
    "fr": {
        "title": "Les personnes d’abord",
        "summary": (
            "Un appel à toutes celles et à tous ceux qui pourraient prendre part aux "
            "négociations visant à mettre fin à la guerre de la Russie contre l’Ukraine\u00a0: "
            "quoi que l’on négocie par ailleurs, le sort des personnes doit passer avant tout."
        ),
        "statement": (
            "Le 28 janvier 2025, 31 organisations ukrainiennes, russes et internationales de "
            "défense des droits humains ont lancé la campagne **Les personnes d’abord**, à "
            "l’initiative du Centre pour les libertés civiles et de Memorial.\n\n"
            "Nous nous adressons à toutes celles et à tous ceux qui pourraient prendre part "
            "aux négociations visant à mettre fin à la guerre de la Russie contre l’Ukraine. "
            "De nombreuses questions difficiles seront sur la table. Mais quoi qu’il soit "
            "convenu par ailleurs, **le sort des personnes doit passer avant tout**.\n\n"
            "Derrière le langage diplomatique, il y a des personnes privées de liberté. "
            "Selon le commissaire aux droits de l’homme du Parlement ukrainien, la Russie "
            "détient illégalement environ 16\u00a0000 civils ukrainiens. Sur l’ensemble des "
            "prisonniers de guerre détenus par les deux parties, environ les deux tiers sont "
            "des Ukrainiens aux mains de la Russie. Derrière chaque chiffre, il y a une "
            "personne, et une famille qui l’attend.\n\n"
            "En Russie même, des personnes qui se sont exprimées contre la guerre sont "
            "derrière les barreaux. La libération des personnes ne peut attendre que tout le "
            "reste soit réglé, et les êtres humains ne doivent jamais devenir des monnaies "
            "d’échange.\n\n"
            "Nous appelons tous les participants aux négociations à faire de nos demandes "
            "une priorité à chaque étape."
        ),
        "demands": (
            "1. La libération immédiate et inconditionnelle de tous les civils ukrainiens "
            "détenus illégalement par la Russie, adultes comme enfants, et leur retour en "
            "toute sécurité dans leurs foyers.\n"
            "2. Le retour des enfants ukrainiens transférés de force ou déportés vers la "
            "Russie et vers les territoires qu’elle occupe, et leur réunification avec leur "
            "famille.\n"
            "3. La libération et le rapatriement des prisonniers de guerre, par voie "
            "d’échanges ou autrement, et au plus tard à la fin des hostilités actives, comme "
            "l’exigent les Conventions de Genève\u00a0; d’ici là, un traitement humain des "
            "prisonniers et l’accès du Comité international de la Croix-Rouge (CICR) "
            "à ceux-ci.\n"
            "4. La libération des personnes emprisonnées en Russie pour avoir pris position "
            "contre la guerre."
        ),
    },
    "it": {
        "title": "Prima le persone",
        "summary": (
            "Un appello a tutti coloro che potranno prendere parte ai negoziati per porre "
            "fine alla guerra della Russia contro l’Ucraina: qualunque altra cosa si negozi, "
            "la sorte delle persone deve venire prima di tutto."
        ),
        "statement": (
            "Il 28 gennaio 2025, 31 organizzazioni ucraine, russe e internazionali per i "
            "diritti umani hanno lanciato la campagna **Prima le persone**, promossa dal "
            "Centro per le libertà civili e da Memorial.\n\n"
            "Ci rivolgiamo a tutti coloro che potranno prendere parte ai negoziati per porre "
            "fine alla guerra della Russia contro l’Ucraina. Sul tavolo ci saranno molte "
            "questioni difficili. Ma qualunque altra cosa si concordi, **la sorte delle "
            "persone deve venire prima di tutto**.\n\n"
            "Dietro il linguaggio diplomatico ci sono persone private della libertà. Secondo "
            "il Commissario per i diritti umani del Parlamento ucraino, la Russia trattiene "
            "illegalmente circa 16.000 civili ucraini. Di tutti i prigionieri di guerra "
            "detenuti dalle due parti, circa due terzi sono ucraini nelle mani della Russia. "
            "Dietro ogni numero c’è una persona, e una famiglia che la aspetta.\n\n"
            "Nella stessa Russia, chi si è espresso contro la guerra si trova dietro le "
            "sbarre. La liberazione delle persone non può attendere che tutto il resto sia "
            "risolto, e gli esseri umani non devono mai diventare merce di scambio.\n\n"
            "Chiediamo a tutti coloro che siedono al tavolo dei negoziati di fare delle "
            "nostre richieste una priorità in ogni fase."
        ),
        "demands": (
            "1. La liberazione immediata e incondizionata di tutti i civili ucraini detenuti "
            "illegalmente dalla Russia, adulti e bambini, e il loro ritorno a casa in "
            "sicurezza.\n"
            "2. Il ritorno dei bambini ucraini trasferiti con la forza o deportati in Russia "
            "e nei territori da essa occupati, e il loro ricongiungimento con le famiglie.\n"
            "3. La liberazione e il rimpatrio dei prigionieri di guerra, mediante scambi o "
            "in altro modo, e non oltre la fine delle ostilità attive, come richiedono le "
            "Convenzioni di Ginevra; fino ad allora, un trattamento umano dei prigionieri e "
            "l’accesso a essi del Comitato internazionale della Croce Rossa (CICR).\n"
            "4. La liberazione delle persone imprigionate in Russia per essersi espresse "
            "contro la guerra."
        ),
    },
}
